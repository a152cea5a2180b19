/** The extension through a real handler, in both eras. */
import { createHash } from "node:crypto";
import type { ServerEvent } from "@portico/core";
import { describe, expect, it } from "vitest";
import { addSkills, SKILLS_EXTENSION, type SkillEntry } from "../src/index.ts";
import { legacySession, modern, PDF, skill, testHandler, testServer } from "./_helpers.ts";

const sha256 = (content: string | Uint8Array) =>
  `sha256:${createHash("sha256").update(content).digest("hex")}`;

function pdfServer(options = {}) {
  const server = testServer();
  const skills = addSkills(server, [PDF, skill("acme/billing/refunds")], options);
  return { server, skills, handler: testHandler(server) };
}

describe("skills/list and skills/get", () => {
  it("lists whole entries with digests of the raw bytes (node:crypto agrees) and sizes", async () => {
    const { handler } = pdfServer();
    const { result } = await modern(handler, "skills/list");
    expect(result.skills.map((s: SkillEntry) => s.uri)).toEqual([
      "skill://acme/billing/refunds/SKILL.md",
      "skill://pdf-processing/SKILL.md",
    ]);
    const pdf = result.skills[1] as SkillEntry;
    expect(pdf.frontmatter).toEqual({
      name: "pdf-processing",
      description: "Extract, fill, and assemble PDF documents",
      metadata: { version: "2.1.0" },
    });
    const expected = Object.entries(PDF.files).map(([path, content]) => ({
      uri: `skill://pdf-processing/${path}`,
      digest: sha256(content),
      size: typeof content === "string" ? Buffer.byteLength(content) : content.length,
    }));
    expect([...pdf.resources].sort((a, b) => a.uri.localeCompare(b.uri))).toEqual(
      expected.sort((a, b) => a.uri.localeCompare(b.uri)),
    );
    expect(pdf.resources[0]?.uri).toBe("skill://pdf-processing/SKILL.md");
    // Modern results carry the cache hints (the handler's by default).
    expect(result.ttlMs).toBe(0);
    expect(result.cacheScope).toBe("private");
    handler.close();
  });

  it("pages whole entries with pageSize and refuses a bad cursor", async () => {
    const server = testServer();
    addSkills(
      server,
      ["a", "b", "c", "d", "e"].map((n) => skill(n)),
      { pageSize: 2 },
    );
    const handler = testHandler(server);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { result } = await modern(handler, "skills/list", cursor ? { cursor } : {});
      expect(result.skills.length).toBeLessThanOrEqual(2);
      seen.push(...result.skills.map((s: SkillEntry) => s.frontmatter.name));
      cursor = result.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(["a", "b", "c", "d", "e"]);
    for (const bad of ["nope", 42, "x".repeat(100), btoa("skills:99")]) {
      expect((await modern(handler, "skills/list", { cursor: bad })).error?.code).toBe(-32602);
    }
    handler.close();
  });

  it("skills/get answers one entry with cache hints and no cursor; unknown → -32602", async () => {
    const { handler } = pdfServer({ cache: { ttlMs: 60_000, scope: "public" } });
    const got = await modern(handler, "skills/get", { uri: "skill://pdf-processing/SKILL.md" });
    const listed = (await modern(handler, "skills/list")).result.skills[1];
    expect(got.result.skill).toEqual(listed);
    expect(got.result.nextCursor).toBeUndefined();
    expect(got.result).toMatchObject({ ttlMs: 60_000, cacheScope: "public" });
    for (const uri of ["skill://nope/SKILL.md", "skill://pdf-processing/references/FORMS.md", "", 7]) {
      const answer = await modern(handler, "skills/get", { uri });
      expect(answer.error?.code).toBe(-32602);
    }
    expect(
      (await modern(handler, "skills/get", { uri: `skill://${"a".repeat(5000)}` })).error?.message,
    ).toMatch(/longer than 4096/);
    handler.close();
  });

  it("serves both eras: initialize and server/discover declare the extension and resources", async () => {
    const { handler } = pdfServer();
    const legacy = await legacySession(handler);
    expect(legacy.initialize.result.capabilities.extensions).toEqual({
      [SKILLS_EXTENSION]: { directoryRead: true },
    });
    expect(legacy.initialize.result.capabilities.resources).toBeDefined();
    const discovered = await modern(handler, "server/discover");
    expect(discovered.result.capabilities.extensions[SKILLS_EXTENSION]).toEqual({ directoryRead: true });

    const list = await legacy.call("skills/list");
    expect(list.result.skills).toHaveLength(2);
    expect(list.result.ttlMs).toBeUndefined(); // cache hints are a 2026-07-28 thing
    const get = await legacy.call("skills/get", { uri: "skill://acme/billing/refunds/SKILL.md" });
    expect(get.result.skill.frontmatter.name).toBe("refunds");
    expect((await legacy.call("skills/get", { uri: "skill://x/SKILL.md" })).error?.code).toBe(-32602);
    const read = await legacy.call("resources/read", { uri: "skill://pdf-processing/SKILL.md" });
    expect(read.result.contents[0]).toMatchObject({ mimeType: "text/markdown", text: PDF.files["SKILL.md"] });
    expect((await legacy.call("resources/read", { uri: "skill://pdf-processing/nope.md" })).error?.code).toBe(
      -32002,
    );
    handler.close();
  });

  it("declares {} without directoryRead and does not serve resources/directory/read", async () => {
    const { handler } = pdfServer({ directoryRead: false });
    const discovered = await modern(handler, "server/discover");
    expect(discovered.result.capabilities.extensions[SKILLS_EXTENSION]).toEqual({});
    const answer = await modern(handler, "resources/directory/read", { uri: "skill://pdf-processing" });
    expect(answer.error?.code).toBe(-32601);
    handler.close();
  });
});

describe("skill files as resources", () => {
  it("lists SKILL.md with the front matter's name and description; other files by mime type; binary as blob", async () => {
    const { handler } = pdfServer();
    const { result } = await modern(handler, "resources/list");
    const byUri = new Map(result.resources.map((r: { uri: string }) => [r.uri, r]));
    expect(byUri.get("skill://pdf-processing/SKILL.md")).toEqual({
      uri: "skill://pdf-processing/SKILL.md",
      name: "pdf-processing",
      description: "Extract, fill, and assemble PDF documents",
      mimeType: "text/markdown",
      size: Buffer.byteLength(PDF.files["SKILL.md"] as string),
    });
    expect(byUri.get("skill://pdf-processing/assets/logo.png")).toMatchObject({
      name: "assets/logo.png",
      mimeType: "image/png",
      size: 8,
    });
    const png = await modern(handler, "resources/read", { uri: "skill://pdf-processing/assets/logo.png" });
    expect(png.result.contents).toEqual([
      {
        uri: "skill://pdf-processing/assets/logo.png",
        mimeType: "image/png",
        blob: Buffer.from(PDF.files["assets/logo.png"] as Uint8Array).toString("base64"),
      },
    ]);
    const missing = await modern(handler, "resources/read", { uri: "skill://pdf-processing/nope.md" });
    expect(missing.error?.code).toBe(-32602);
    handler.close();
  });

  it("percent-encodes file names that are not URI characters", async () => {
    const server = testServer();
    addSkills(server, [skill("a", { "notes/my notes.md": "hi" })]);
    const handler = testHandler(server);
    const read = await modern(handler, "resources/read", { uri: "skill://a/notes/my%20notes.md" });
    expect(read.result.contents[0].text).toBe("hi");
    const dir = await modern(handler, "resources/directory/read", { uri: "skill://a/notes" });
    expect(dir.result.resources[0]).toMatchObject({
      uri: "skill://a/notes/my%20notes.md",
      name: "notes/my notes.md",
    });
    handler.close();
  });

  it("keeps the resources capability with no skill (empty listing, unknown reads → -32602)", async () => {
    const server = testServer();
    const set = addSkills(server, []);
    const handler = testHandler(server);
    const discovered = await modern(handler, "server/discover");
    expect(discovered.result.capabilities.resources).toBeDefined();
    expect((await modern(handler, "skills/list")).result.skills).toEqual([]);
    expect((await modern(handler, "resources/list")).result.resources).toEqual([]);
    expect((await modern(handler, "resources/read", { uri: "skill://a/SKILL.md" })).error?.code).toBe(-32602);
    await set.put(skill("a"));
    expect((await modern(handler, "resources/templates/list")).result.resourceTemplates).toEqual([]);
    expect(
      (await modern(handler, "resources/read", { uri: "skill://a/SKILL.md" })).result.contents,
    ).toHaveLength(1);
    handler.close();
  });
});

describe("resources/directory/read", () => {
  it("lists direct children, subdirectories as inode/directory, and pages them", async () => {
    const { handler } = pdfServer({ pageSize: 2 });
    const read = async (uri: string) => {
      const all: { uri: string; mimeType: string }[] = [];
      let cursor: string | undefined;
      do {
        const answer = await modern(handler, "resources/directory/read", cursor ? { uri, cursor } : { uri });
        all.push(...answer.result.resources);
        cursor = answer.result.nextCursor;
      } while (cursor !== undefined);
      return all.map((r) => [r.uri, r.mimeType]);
    };
    expect(await read("skill://pdf-processing")).toEqual([
      ["skill://pdf-processing/SKILL.md", "text/markdown"],
      ["skill://pdf-processing/assets", "inode/directory"],
      ["skill://pdf-processing/references", "inode/directory"],
      ["skill://pdf-processing/templates", "inode/directory"],
    ]);
    expect(await read("skill://pdf-processing/templates")).toEqual([
      ["skill://pdf-processing/templates/regional", "inode/directory"],
    ]);
    expect(await read("skill://acme")).toEqual([["skill://acme/billing", "inode/directory"]]);
    for (const uri of ["skill://pdf-processing/SKILL.md", "skill://nope", "skill://pdf-processing/", 3]) {
      expect((await modern(handler, "resources/directory/read", { uri })).error?.code).toBe(-32602);
    }
    handler.close();
  });
});

describe("changes at run time", () => {
  it("put, replace and remove change every method and emit resources list_changed / updated", async () => {
    const { server, skills, handler } = pdfServer();
    const events: ServerEvent[] = [];
    server.subscribe((e) => events.push(e));

    const entry = await skills.put(skill("git-workflow", { "docs/a.md": "one" }));
    expect(entry.uri).toBe("skill://git-workflow/SKILL.md");
    expect(events).toContainEqual({ type: "list_changed", kind: "resources" });
    const uris = async () =>
      (await modern(handler, "skills/list")).result.skills.map((s: SkillEntry) => s.frontmatter.name);
    expect(await uris()).toEqual(["refunds", "git-workflow", "pdf-processing"]);

    // Same files, new bytes: resources/updated, no list change; the entry's digest follows.
    events.length = 0;
    await skills.put(skill("git-workflow", { "docs/a.md": "two" }));
    expect(events).toEqual([{ type: "resource_updated", uri: "skill://git-workflow/docs/a.md" }]);
    const got = await modern(handler, "skills/get", { uri: "skill://git-workflow/SKILL.md" });
    expect(got.result.skill.resources[1]).toEqual({
      uri: "skill://git-workflow/docs/a.md",
      digest: sha256("two"),
      size: 3,
    });
    expect(
      (await modern(handler, "resources/read", { uri: "skill://git-workflow/docs/a.md" })).result.contents[0]
        .text,
    ).toBe("two");

    // A file goes: list_changed, and it is no longer readable or listed.
    events.length = 0;
    await skills.put(skill("git-workflow"));
    expect(events).toContainEqual({ type: "list_changed", kind: "resources" });
    expect(
      (await modern(handler, "resources/read", { uri: "skill://git-workflow/docs/a.md" })).error?.code,
    ).toBe(-32602);
    expect(
      (await modern(handler, "resources/directory/read", { uri: "skill://git-workflow/docs" })).error?.code,
    ).toBe(-32602);

    expect(skills.remove("git-workflow")).toBe(true);
    expect(skills.remove("git-workflow")).toBe(false);
    expect(await uris()).toEqual(["refunds", "pdf-processing"]);
    expect((await modern(handler, "skills/get", { uri: "skill://git-workflow/SKILL.md" })).error?.code).toBe(
      -32602,
    );
    expect(skills.paths()).toEqual(["acme/billing/refunds", "pdf-processing"]);
    expect((await skills.entries()).map((e) => e.uri)).toEqual([
      "skill://acme/billing/refunds/SKILL.md",
      "skill://pdf-processing/SKILL.md",
    ]);
    expect(await skills.entry("nope")).toBeUndefined();
    handler.close();
  });

  it("serves nested skills flat, the enclosing one listing the nested files too", async () => {
    const server = testServer();
    const inner = skill("outer/inner", { "x.md": "x" });
    addSkills(server, [
      {
        path: "outer",
        files: {
          "SKILL.md": skill("outer").files["SKILL.md"] as string,
          "inner/SKILL.md": inner.files["SKILL.md"] as string,
          "inner/x.md": "x",
        },
      },
      inner,
    ]);
    const handler = testHandler(server);
    const list = (await modern(handler, "skills/list")).result.skills as SkillEntry[];
    expect(list.map((s) => [s.uri, s.resources.length])).toEqual([
      ["skill://outer/SKILL.md", 3],
      ["skill://outer/inner/SKILL.md", 2],
    ]);
    const resources = (await modern(handler, "resources/list")).result.resources;
    const nested = resources.find((r: { uri: string }) => r.uri === "skill://outer/inner/SKILL.md");
    expect(nested).toMatchObject({ name: "inner", mimeType: "text/markdown" });
    handler.close();
  });
});
