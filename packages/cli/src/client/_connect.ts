import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchApp } from "@portico/host";
import { CliError, oneLine } from "../_errors.ts";

/** A connected MCP client and how to let it go (ending its session). */
export interface Connection {
  client: Client;
  close(): Promise<void>;
}

/** The address an in-process app is called at (the Host check accepts localhost names). */
const IN_PROCESS = "http://127.0.0.1/mcp";

/** Why a URL could not be reached, in one line (fetch's `cause` carries the system error). */
function connectFailure(target: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return new CliError(`cannot connect to ${target}: ${oneLine(error)}${code}`, 1);
}

/**
 * Connects the MCP SDK client (Streamable HTTP) to a URL, or to a fetch app in this process (the
 * transport's `fetch` calls the app directly: no port, no socket).
 */
export async function connect(
  target: string | FetchApp,
  headers: Record<string, string>,
): Promise<Connection> {
  const address = typeof target === "string" ? target : IN_PROCESS;
  if (!URL.canParse(address)) throw new CliError(`${JSON.stringify(address)} is not a valid URL`, 2);
  const url = new URL(address);
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers },
    ...(typeof target === "string"
      ? {}
      : {
          fetch: (input: string | URL, init?: RequestInit) =>
            Promise.resolve(target.fetch(new Request(input, init))),
        }),
  });
  const client = new Client({ name: "portico-cli", version: "1" });
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => {});
    throw connectFailure(typeof target === "string" ? target : "the module", error);
  }
  return {
    client,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    },
  };
}
