/**
 * What the registry scenarios (config-registry, skills-store) ask of their instances: one MCP
 * request in the 2026-07-28 envelope, an instance's admin endpoint, and a bounded poll until a
 * probe holds on every instance.
 */
import { type JsonRpcMessage, modernAnswer } from "@portico/test-kit";

/** One MCP request to `url`; its final JSON-RPC message. */
export function mcp(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
): Promise<JsonRpcMessage> {
  return modernAnswer(fetch, url, method, params);
}

/** POSTs `body` to the instance's test-only admin endpoint `/__<area>/<action>`. */
export async function admin(
  url: string,
  area: "config" | "skills",
  action: "put" | "remove",
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${new URL(url).origin}/__${area}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Polls (every 25 ms) until `probe` holds on every url, within `withinMs` in all; rethrows its last failure. */
export async function everywhere(
  urls: string[],
  probe: (url: string) => Promise<void>,
  withinMs: number,
): Promise<void> {
  const until = Date.now() + withinMs;
  for (const url of urls) {
    for (;;) {
      try {
        await probe(url);
        break;
      } catch (error) {
        if (Date.now() > until) throw error;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }
}
