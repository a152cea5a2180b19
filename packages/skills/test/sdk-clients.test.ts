/**
 * The official SDK clients against the extension over HTTP (Node adapter): v1 (`client.request`
 * with a result schema, a legacy session) and v2 (a Standard Schema, both eras).
 */
import { createHash } from "node:crypto";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { type Server, serve } from "@portico/adapter-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSkills, SKILLS_EXTENSION, type SkillEntry } from "../src/index.ts";
import { PDF, testHandler, testServer } from "./_helpers.ts";

const server = testServer();
addSkills(server, [PDF]);
const handler = testHandler(server);
let http: Server;
let endpoint: URL;

beforeAll(async () => {
  http = await serve(
    { fetch: (request: Request) => handler.fetch(request) },
    { port: 0, hostname: "127.0.0.1" },
  );
  endpoint = new URL(`${http.url}/mcp`);
});

afterAll(async () => {
  handler.close();
  await http?.close();
});

const SKILL_URI = "skill://pdf-processing/SKILL.md";
const digest = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;

/** A Standard Schema (v1) for a `skills/list` or `skills/get` result, as the v2 SDK takes it. */
function standardSchema<T>(check: (value: unknown) => value is T) {
  return {
    "~standard": {
      version: 1 as const,
      vendor: "skills-test",
      validate: (value: unknown) =>
        check(value) ? { value } : { issues: [{ message: "not a skills result" }] },
      // The output type, for the SDK's inference (never read at run time).
      types: undefined as unknown as { input: unknown; output: T },
    },
  };
}
const isList = (v: unknown): v is { skills: SkillEntry[]; nextCursor?: string } =>
  typeof v === "object" && v !== null && Array.isArray((v as { skills?: unknown }).skills);
const isGet = (v: unknown): v is { skill: SkillEntry } =>
  typeof v === "object" && v !== null && typeof (v as { skill?: unknown }).skill === "object";

describe("SDK v1 client (legacy session)", () => {
  it("sees the extension, lists and gets skills, and reads a file whose digest matches", async () => {
    const client = new ClientV1({ name: "v1", version: "1.0.0" });
    await client.connect(new TransportV1(endpoint));
    try {
      const caps = client.getServerCapabilities() as { extensions?: Record<string, unknown> };
      expect(caps.extensions?.[SKILLS_EXTENSION]).toEqual({ directoryRead: true });
      const list = (await client.request({ method: "skills/list", params: {} }, ResultSchema)) as {
        skills: SkillEntry[];
      };
      expect(list.skills.map((s) => s.uri)).toEqual([SKILL_URI]);
      const got = (await client.request(
        { method: "skills/get", params: { uri: SKILL_URI } },
        ResultSchema,
      )) as {
        skill: SkillEntry;
      };
      expect(got.skill).toEqual(list.skills[0]);
      const read = await client.readResource({ uri: SKILL_URI });
      const text = (read.contents[0] as { text: string }).text;
      expect(digest(text)).toBe(got.skill.resources[0]?.digest);
      await expect(
        client.request({ method: "skills/get", params: { uri: "skill://nope/SKILL.md" } }, ResultSchema),
      ).rejects.toMatchObject({ code: -32602 });
    } finally {
      await client.close();
    }
  });
});

const ERAS = [
  ["modern", { versionNegotiation: { mode: { pin: "2026-07-28" } } }],
  ["legacy", { versionNegotiation: { mode: "legacy" } }],
] as const;

describe.each(ERAS)("SDK v2 client, %s era", (era, negotiation) => {
  it("lists, gets, reads a directory and a file", async () => {
    const client = new ClientV2({ name: "v2", version: "1.0.0" }, {
      capabilities: {},
      ...negotiation,
    } as ConstructorParameters<typeof ClientV2>[1]);
    await client.connect(new TransportV2(endpoint));
    try {
      expect(client.getProtocolEra()).toBe(era);
      const caps = client.getServerCapabilities() as { extensions?: Record<string, unknown> };
      expect(caps.extensions?.[SKILLS_EXTENSION]).toEqual({ directoryRead: true });
      const list = await client.request({ method: "skills/list", params: {} }, standardSchema(isList));
      expect(list.skills[0]?.frontmatter.name).toBe("pdf-processing");
      const got = await client.request(
        { method: "skills/get", params: { uri: SKILL_URI } },
        standardSchema(isGet),
      );
      expect(got.skill.resources.map((r) => r.uri)).toContain("skill://pdf-processing/references/FORMS.md");
      const isDir = (v: unknown): v is { resources: { uri: string; mimeType?: string }[] } =>
        typeof v === "object" && v !== null && Array.isArray((v as { resources?: unknown }).resources);
      const dir = await client.request(
        { method: "resources/directory/read", params: { uri: "skill://pdf-processing/references" } },
        standardSchema(isDir),
      );
      expect(dir.resources.map((r) => r.uri)).toEqual(["skill://pdf-processing/references/FORMS.md"]);
      const read = await client.readResource({ uri: "skill://pdf-processing/references/FORMS.md" });
      expect((read.contents[0] as { text: string }).text).toBe(PDF.files["references/FORMS.md"]);
    } finally {
      await client.close();
    }
  });
});
