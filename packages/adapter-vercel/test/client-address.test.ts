/**
 * `ctx.clientAddress`: deployed on Vercel (`VERCEL=1`, `VERCEL_ENV` production or preview), the
 * `x-real-ip` Vercel sets, with both signatures; under `vercel dev` or anywhere else nothing, since
 * any client can send that header there — nor `X-Forwarded-For`, nor the socket's peer.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ExecutionContextLike, handle } from "../src/index.ts";
import { toNodeHandler } from "../src/node/index.ts";

/** Answers with the `ctx.clientAddress` it was given (`null` when unset). */
const echo = {
  fetch: (_request: Request, _env?: unknown, ctx?: ExecutionContextLike) =>
    Response.json({ clientAddress: ctx?.clientAddress ?? null }),
};

const HEADERS = { "x-real-ip": "203.0.113.7", "x-forwarded-for": "203.0.113.7" };

function environment(vercel: string | undefined, vercelEnv: string | undefined): void {
  vi.stubEnv("VERCEL", vercel);
  vi.stubEnv("VERCEL_ENV", vercelEnv);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The address the Web handler gave the app for a request with `headers`. */
async function viaWeb(headers: Record<string, string>): Promise<unknown> {
  const { POST } = handle(echo);
  const response = await POST(new Request("https://mcp.example.com/api/mcp", { method: "POST", headers }));
  return ((await response.json()) as { clientAddress: unknown }).clientAddress;
}

/** The address the legacy `(req, res)` handler gave the app, over real loopback HTTP. */
async function viaLegacy(headers: Record<string, string>): Promise<unknown> {
  const server = createServer(toNodeHandler(echo));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/mcp`, { headers });
    return ((await response.json()) as { clientAddress: unknown }).clientAddress;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("ctx.clientAddress", () => {
  for (const vercelEnv of ["production", "preview"]) {
    it(`deployed (VERCEL_ENV=${vercelEnv}): x-real-ip, with both signatures`, async () => {
      environment("1", vercelEnv);
      expect(await viaWeb(HEADERS)).toBe("203.0.113.7");
      expect(await viaLegacy(HEADERS)).toBe("203.0.113.7");
      expect(await viaWeb({ "x-real-ip": "2001:db8::7" })).toBe("2001:db8::7");
    });
  }

  it("deployed without x-real-ip: none (X-Forwarded-For and the proxy's socket are not the caller)", async () => {
    environment("1", "production");
    expect(await viaWeb({ "x-forwarded-for": "203.0.113.7" })).toBeNull();
    expect(await viaLegacy({ "x-forwarded-for": "203.0.113.7" })).toBeNull();
    expect(await viaWeb({ "x-real-ip": "" })).toBeNull();
  });

  for (const [vercel, vercelEnv] of [
    ["1", "development"],
    [undefined, undefined],
    [undefined, "production"],
    ["0", "preview"],
  ] as const) {
    it(`not deployed (VERCEL=${vercel}, VERCEL_ENV=${vercelEnv}): none, whatever the client sends`, async () => {
      environment(vercel, vercelEnv);
      expect(await viaWeb(HEADERS)).toBeNull();
      expect(await viaLegacy(HEADERS)).toBeNull();
    });
  }
});
