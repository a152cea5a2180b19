/**
 * Skills in the shared stores across instances: for each store — a real redis-server, and dynalite
 * standing in for DynamoDB — three separate processes (`src/skills-instance.ts`) serve one
 * `storeSkills` registry on 127.0.0.1, and:
 *
 * - skills put through A (a SKILL.md, a references file, a small binary file) are served by B and C
 *   within 5 s: `skills/list` with the same digests and sizes, `skills/get`, and `resources/read`
 *   with the same bytes on every instance;
 * - one removed through B is gone on A and C within 5 s (`skills/get` → -32602);
 * - one replaced through C (a new SKILL.md body) has its new digest everywhere within 5 s;
 * - a fourth process started after the writes serves the stored skills at once;
 * - a 200 KB skill round-trips; a ~450 KB one is over a DynamoDB item (400 KB): on dynalite `put`
 *   fails with DynamoDB's ValidationException and nothing changes (the previous version stays
 *   served everywhere), on Redis it round-trips.
 *
 * PORTICO_FAULTS_STORES=redis (or dynamodb) runs one store only.
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type Instances, startInstances } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, everywhere, mcp } from "../src/registry-probes.ts";
import { type StoreController, type StoreKind, startStore } from "../src/stores.ts";

const STORES = (process.env.PORTICO_FAULTS_STORES ?? "redis,dynamodb")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is StoreKind => s === "redis" || s === "dynamodb");

const SCRIPT = fileURLToPath(new URL("../src/skills-instance.ts", import.meta.url));
const WITHIN_MS = 5_000;

type Files = Record<string, string | Uint8Array>;
interface Skill {
  path: string;
  files: Files;
}
interface Entry {
  uri: string;
  frontmatter: Record<string, unknown>;
  resources: { uri: string; digest: string; size: number }[];
}

const put = (url: string, skill: Skill) =>
  admin(url, "skills", "put", {
    path: skill.path,
    files: Object.fromEntries(
      Object.entries(skill.files).map(([name, content]) => [
        name,
        typeof content === "string" ? { text: content } : { base64: Buffer.from(content).toString("base64") },
      ]),
    ),
  });

const skillMd = (name: string, body: string) =>
  `---\nname: ${name}\ndescription: The ${name} skill for the faults suite.\n---\n\n# ${name}\n\n${body}\n`;

const bytesOf = (content: string | Uint8Array) =>
  typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);

/** The entry a correct server lists for `skill`: each file's URI, `sha256:` digest and size. */
function expectedResources(skill: Skill): Entry["resources"] {
  return Object.keys(skill.files)
    .map((name) => {
      const bytes = bytesOf(skill.files[name] as string | Uint8Array);
      return {
        uri: `skill://${skill.path}/${name}`,
        digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
        size: bytes.length,
      };
    })
    .sort((x, y) => x.uri.localeCompare(y.uri));
}

const skillUri = (skill: Skill) => `skill://${skill.path}/SKILL.md`;
const sorted = (resources: Entry["resources"]) => [...resources].sort((x, y) => x.uri.localeCompare(y.uri));

/** Every entry an instance lists (following `nextCursor`), by SKILL.md URI. */
async function listed(url: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  let cursor: string | undefined;
  do {
    const answer = await mcp(url, "skills/list", cursor === undefined ? {} : { cursor });
    if (answer.error !== undefined) throw new Error(`skills/list: ${JSON.stringify(answer.error)}`);
    for (const entry of answer.result.skills as Entry[]) entries.set(entry.uri, entry);
    cursor = answer.result.nextCursor;
  } while (cursor !== undefined);
  return entries;
}

/** The bytes of a `resources/read` answer's one content, as base64 (text as UTF-8). */
async function readBase64(url: string, uri: string): Promise<string> {
  const answer = await mcp(url, "resources/read", { uri });
  if (answer.error !== undefined) throw new Error(`resources/read ${uri}: ${JSON.stringify(answer.error)}`);
  const [content, ...more] = answer.result.contents as { uri: string; text?: string; blob?: string }[];
  expect(more).toEqual([]);
  expect(content?.uri).toBe(uri);
  return content?.blob ?? Buffer.from(content?.text as string, "utf8").toString("base64");
}

/** That `url` serves `skill` exactly: listed and got with its digests and sizes, and its files' bytes. */
async function servesExactly(url: string, skill: Skill, files = Object.keys(skill.files)): Promise<void> {
  const resources = expectedResources(skill);
  const entry = (await listed(url)).get(skillUri(skill));
  expect(entry, `${skill.path} listed on ${url}`).toBeDefined();
  expect(sorted((entry as Entry).resources)).toEqual(resources);
  const got = await mcp(url, "skills/get", { uri: skillUri(skill) });
  expect(got.error).toBeUndefined();
  expect(got.result.skill).toEqual(entry);
  for (const name of files) {
    expect(await readBase64(url, `skill://${skill.path}/${name}`)).toBe(
      bytesOf(skill.files[name] as string | Uint8Array).toString("base64"),
    );
  }
}

/** That `url` does not serve `skill` (`skills/get` is -32602, and it is not listed). */
async function servesNot(url: string, skill: Skill): Promise<void> {
  const got = await mcp(url, "skills/get", { uri: skillUri(skill) });
  expect(got.error?.code).toBe(-32602);
  expect((await listed(url)).has(skillUri(skill))).toBe(false);
}

/** Every byte value, then some more: a small binary file that is not valid UTF-8. */
const LOGO = new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 7 + 0x89) % 256));

const PDF: Skill = {
  path: "pdf-tools",
  files: {
    "SKILL.md": skillMd("pdf-tools", "Read [references/FORMS.md](references/FORMS.md) first."),
    "references/FORMS.md": "# Forms\n\nList the fields first, then fill them by name. — ünïcode ✓\n",
    "assets/logo.png": LOGO,
  },
};
const GIT: Skill = {
  path: "acme/git-workflow",
  files: {
    "SKILL.md": skillMd("git-workflow", "Branch from main; one commit per change."),
    "references/COMMITS.md": "# Commits\n\nImperative mood.\n",
  },
};
const GIT_V2: Skill = {
  ...GIT,
  files: { ...GIT.files, "SKILL.md": skillMd("git-workflow", "Branch from main; squash before merging.") },
};

/** Text files summing to about `kib` KiB, split across `parts` references, plus a small binary. */
function bigSkill(name: string, kib: number, parts = 4, salt = ""): Skill {
  const line = (i: number) => `${salt}Line ${i}: the quick brown fox jumps over the lazy dog.\n`;
  const files: Files = { "SKILL.md": skillMd(name, "See the references.") };
  const perPart = Math.ceil((kib * 1024) / parts);
  for (let p = 0; p < parts; p++) {
    let text = "";
    for (let i = 0; text.length < perPart; i++) text += line(i);
    files[`references/part-${p}.md`] = text;
  }
  files["assets/icon.bin"] = LOGO;
  return { path: name, files };
}
const sizeOf = (skill: Skill) =>
  Object.values(skill.files).reduce((sum, content) => sum + bytesOf(content).length, 0);

describe.each(STORES)("skills store across instances on %s", (kind) => {
  let store: StoreController | undefined;
  let instances: Instances | undefined;
  let late: Instances | undefined;
  let urls: string[] = [];
  let fourth = "";

  beforeAll(async () => {
    store = await startStore(kind);
    instances = await startInstances(
      SCRIPT,
      ["a", "b", "c"].map((name) => ({ ...store?.env, FAULTS_NAME: name })),
    );
    urls = instances.urls;
  }, 90_000);

  afterAll(async () => {
    await instances?.stop();
    await late?.stop();
    await store?.stop();
  }, 30_000);

  it(`skills put through A are served by B and C within ${WITHIN_MS} ms, byte for byte`, async () => {
    const [a, b, c] = urls as [string, string, string];
    expect(await put(a, PDF)).toMatchObject({ ok: true });
    expect(await put(a, GIT)).toMatchObject({ ok: true });
    await servesExactly(a, PDF); // the writer serves it once put resolves
    await everywhere(
      [b, c],
      async (url) => {
        await servesExactly(url, PDF);
        await servesExactly(url, GIT);
      },
      WITHIN_MS,
    );
    // The same entries (front matter included) on every instance.
    const onA = await listed(a);
    for (const url of [b, c]) expect(await listed(url)).toEqual(onA);
    expect(onA.get(skillUri(PDF))?.frontmatter).toMatchObject({ name: "pdf-tools" });
  }, 30_000);

  it(`removed through B: gone on A and C within ${WITHIN_MS} ms`, async () => {
    const [a, b, c] = urls as [string, string, string];
    expect(await admin(b, "skills", "remove", { path: PDF.path })).toMatchObject({ removed: true });
    await servesNot(b, PDF);
    await everywhere([a, c], (url) => servesNot(url, PDF), WITHIN_MS);
    expect(await admin(b, "skills", "remove", { path: PDF.path })).toMatchObject({ removed: false });
    for (const url of [a, b, c]) await servesExactly(url, GIT); // the other skill stays
  }, 30_000);

  it(`replaced through C (new SKILL.md body): the new digest everywhere within ${WITHIN_MS} ms`, async () => {
    const [a, b, c] = urls as [string, string, string];
    const before = (await listed(a)).get(skillUri(GIT))?.resources;
    expect(await put(c, GIT_V2)).toMatchObject({ ok: true });
    await everywhere([a, b, c], (url) => servesExactly(url, GIT_V2), WITHIN_MS);
    const after = (await listed(a)).get(skillUri(GIT))?.resources;
    const digest = (resources: Entry["resources"] | undefined, name: string) =>
      resources?.find((r) => r.uri === `skill://${GIT.path}/${name}`)?.digest;
    expect(digest(after, "SKILL.md")).not.toBe(digest(before, "SKILL.md"));
    expect(digest(after, "references/COMMITS.md")).toBe(digest(before, "references/COMMITS.md"));
  }, 30_000);

  it("a fourth process started after the writes serves the stored skills at once", async () => {
    late = await startInstances(SCRIPT, [{ ...store?.env, FAULTS_NAME: "d" }]);
    fourth = late.urls[0] as string;
    // No polling: storeSkills loads the store before the process announces its URL.
    await servesExactly(fourth, GIT_V2);
    await servesNot(fourth, PDF);
    expect([...(await listed(fourth)).keys()]).toEqual([skillUri(GIT)]);
  }, 60_000);

  const BIG = bigSkill("big-manual", 200);
  const HUGE = bigSkill("big-manual", 450, 4, "v2 ");

  it("a 200 KB skill round-trips", async () => {
    const [a, b, c] = urls as [string, string, string];
    expect(sizeOf(BIG)).toBeGreaterThan(200 * 1024);
    expect(sizeOf(BIG)).toBeLessThan(210 * 1024);
    expect(await put(a, BIG)).toMatchObject({ ok: true });
    await everywhere([a, b, c, fourth], (url) => servesExactly(url, BIG), WITHIN_MS);
  }, 30_000);

  it(`a ~450 KB skill: ${kind === "dynamodb" ? "put refuses it (400 KB items), nothing changes" : "round-trips"}`, async () => {
    const [a, b, c] = urls as [string, string, string];
    expect(sizeOf(HUGE)).toBeGreaterThan(450 * 1024);
    const answer = await put(b, HUGE);
    if (kind === "redis") {
      expect(answer).toMatchObject({ ok: true });
      await everywhere([a, b, c, fourth], (url) => servesExactly(url, HUGE), WITHIN_MS);
      return;
    }
    // The record is written before the index, so the refused write leaves the index as it was.
    expect(answer).toMatchObject({ code: "skill_not_stored", type: "ValidationException" });
    expect(answer.error).toMatch(/^Skill "big-manual" \(a \d+ KB record\) could not be stored: /);
    expect(answer.error).toMatch(/Item size has exceeded the maximum allowed size.*DynamoDB: 400 KB/);
    // A fresh path too: nothing of it is served anywhere.
    const fresh = await put(b, bigSkill("huge-manual", 450));
    expect(fresh.error).toMatch(/Item size has exceeded the maximum allowed size/);
    expect(fresh).toMatchObject({ code: "skill_not_stored", type: "ValidationException" });
    // Still the 200 KB version everywhere, and no trace of the refused one — also after the others
    // re-read the store (a write through A makes every instance re-sync).
    expect(await put(a, GIT)).toMatchObject({ ok: true });
    await everywhere([a, b, c, fourth], (url) => servesExactly(url, GIT), WITHIN_MS);
    for (const url of [a, b, c, fourth]) {
      await servesExactly(url, BIG);
      const paths = [...(await listed(url)).keys()].sort();
      expect(paths).toEqual([skillUri(GIT), skillUri(BIG)].sort());
      expect((await mcp(url, "skills/get", { uri: "skill://huge-manual/SKILL.md" })).error?.code).toBe(
        -32602,
      );
    }
  }, 30_000);
});
