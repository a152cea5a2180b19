/**
 * `api/mcp.ts` as written, with Vercel's system variables as a deployment has them: a
 * `*.vercel.app` Host answers with no `ALLOWED_HOSTS` (the adapter passes the Host Vercel routed by);
 * under `vercel dev` (`VERCEL_ENV=development`) the same Host is a stranger and gets a 403 naming it
 * and `allowedHosts`, until `ALLOWED_HOSTS` lists it.
 */
import { modernPost } from "@portico/test-kit";
import { afterEach, describe, expect, it, vi } from "vitest";

const DEPLOYMENT = "portico-quickstart-vercel-abc123xyz-team.vercel.app";
const SECRET = "b".repeat(64);

type Handlers = typeof import("../api/mcp.ts");

/** Loads api/mcp.ts afresh with `env` as its environment (it reads process.env at import). */
async function loadFunction(env: Record<string, string | undefined>): Promise<Handlers> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import("../api/mcp.ts");
}

const addCall = (host: string) =>
  modernPost(
    `https://${host}/mcp`,
    "tools/call",
    { name: "add", arguments: { a: 2, b: 40 } },
    {
      headers: { host },
    },
  );

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("api/mcp.ts", () => {
  it("deployed (VERCEL_ENV=production): a *.vercel.app Host answers 200 with no ALLOWED_HOSTS", async () => {
    const { POST } = await loadFunction({
      VERCEL: "1",
      VERCEL_ENV: "production",
      REQUEST_STATE_SECRET: SECRET,
      ALLOWED_HOSTS: undefined,
    });
    const response = await POST(addCall(DEPLOYMENT));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { structuredContent: { sum: 42 } } });
  });

  it("under vercel dev: the same Host gets 403 naming it and allowedHosts; ALLOWED_HOSTS adds it", async () => {
    // The refusal's notice is a warn line on stdout (@portico/observe writes warnings at once).
    const written = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const dev = { VERCEL: "1", VERCEL_ENV: "development", ALLOWED_HOSTS: undefined };
    const refused = await (await loadFunction(dev)).POST(addCall(DEPLOYMENT));
    expect(refused.status).toBe(403);
    const { error } = (await refused.json()) as { error: { message: string } };
    expect(error.message).toContain(JSON.stringify(DEPLOYMENT));
    expect(error.message).toContain("allowedHosts");
    const notice = written.mock.calls
      .map(([chunk]) => String(chunk))
      .flatMap((chunk) => chunk.split("\n"))
      .filter((line) => line.includes('"code":"host_not_allowed"'));
    expect(notice).toHaveLength(1);
    expect(JSON.parse(notice[0] as string)).toMatchObject({ level: "warn", where: "host check" });
    expect(notice[0]).toContain(DEPLOYMENT);
    written.mockRestore();
    const listed = await loadFunction({ ...dev, ALLOWED_HOSTS: DEPLOYMENT });
    expect((await listed.POST(addCall(DEPLOYMENT))).status).toBe(200);
  });
});
