/** Build-time bundling: a folder → skills data → an ES module imported with no file system; the CLI. */
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { addSkills, type SkillDefinition } from "../src/index.ts";
import { main } from "../src/node/cli.ts";
import { readSkillsFolder, skillsModule, writeSkillsModule } from "../src/node/index.ts";
import { modern, skillMd, testHandler, testServer } from "./_helpers.ts";

// Inside the package, so generated modules resolve as a user's would.
const tmp = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".bundle-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff]);

function folder(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(tmp, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const FILES = {
  "pdf-processing/SKILL.md": skillMd("pdf-processing"),
  "pdf-processing/references/FORMS.md": "# Forms ✓\n",
  "pdf-processing/assets/logo.png": PNG,
  "pdf-processing/.DS_Store": "hidden",
  "acme/billing/refunds/SKILL.md": skillMd("refunds"),
  "acme/billing/refunds/nested/SKILL.md": skillMd("nested"),
  "notes.txt": "not in any skill",
};

describe("readSkillsFolder", () => {
  it("finds every skill (nested ones too), text as strings, binary as bytes, hidden files skipped", async () => {
    const skills = await readSkillsFolder(folder("read", FILES));
    expect(skills.map((s) => [s.path, Object.keys(s.files).sort()])).toEqual([
      ["acme/billing/refunds", ["SKILL.md", "nested/SKILL.md"]],
      ["acme/billing/refunds/nested", ["SKILL.md"]],
      ["pdf-processing", ["SKILL.md", "assets/logo.png", "references/FORMS.md"]],
    ]);
    const pdf = skills[2] as SkillDefinition;
    expect(pdf.files["references/FORMS.md"]).toBe("# Forms ✓\n");
    expect(pdf.files["assets/logo.png"]).toEqual(PNG);
  });

  it("refuses invalid skills naming the file, a SKILL.md at the root, symlinks and a missing folder", async () => {
    const bad = folder("bad", { "pdf/SKILL.md": skillMd("other") });
    await expect(readSkillsFolder(bad)).rejects.toThrow(
      /Skill "pdf": SKILL.md front matter: "name" is "other"/,
    );
    await expect(readSkillsFolder(folder("root", { "SKILL.md": skillMd("root") }))).rejects.toThrow(
      /move this skill into a folder named after it/,
    );
    const linked = folder("linked", { "a/SKILL.md": skillMd("a") });
    symlinkSync(join(linked, "a", "SKILL.md"), join(linked, "a", "link.md"));
    await expect(readSkillsFolder(linked)).rejects.toThrow(/symbolic links are not bundled/);
    await expect(readSkillsFolder(join(tmp, "absent"))).rejects.toThrow(/does not exist or is not a folder/);
  });

  it("refuses a skill over the 16 MiB limit from its files' sizes, before reading them", async () => {
    // A skill is at most 16 MiB (the extension's limit); a stray 3 GiB file (sparse here: no disk
    // used) must be refused naming the skill, not read (Node cannot read it into one buffer).
    const dir = folder("huge", { "a/SKILL.md": skillMd("a") });
    writeFileSync(join(dir, "a", "big.bin"), "");
    truncateSync(join(dir, "a", "big.bin"), 3 * 1024 ** 3);
    await expect(readSkillsFolder(dir)).rejects.toThrow(
      /Skill "a" is larger than 16777216 bytes \(at file "big.bin"\)/,
    );
  });

  it("reads a SKILL.md saved with a byte order mark as text, its digest that of the file", async () => {
    // Editors on Windows save UTF-8 with a BOM; the front matter parser skips it, and SKILL.md
    // must be text: keep the BOM in the string, so its UTF-8 bytes are the file's.
    const md = `\ufeff${skillMd("bom")}`;
    const [bom] = await readSkillsFolder(folder("bom", { "bom/SKILL.md": md, "bom/notes.md": md }));
    expect(bom?.files).toEqual({ "SKILL.md": md, "notes.md": md });
    const server = testServer();
    addSkills(server, [bom as SkillDefinition]);
    const handler = testHandler(server);
    const { result } = await modern(handler, "skills/get", { uri: "skill://bom/SKILL.md" });
    const digest = `sha256:${createHash("sha256")
      .update(readFileSync(join(tmp, "bom", "bom", "SKILL.md")))
      .digest("hex")}`;
    expect(result.skill.resources[0]).toMatchObject({ uri: "skill://bom/SKILL.md", digest });
    handler.close();
  });
});

describe("writeSkillsModule", () => {
  it.each(["skills.ts", "skills.mjs"])(
    "writes %s that imports as the same skills and serves them",
    async (out) => {
      const dir = folder(`write-${out}`, FILES);
      const file = join(tmp, "out", out);
      const summary = await writeSkillsModule(dir, file);
      expect(summary).toMatchObject({ skills: 3, files: 6 });
      const { default: bundled } = (await import(file)) as { default: SkillDefinition[] };
      expect(bundled).toEqual(await readSkillsFolder(dir));
      const server = testServer();
      addSkills(server, bundled);
      const handler = testHandler(server);
      const png = await modern(handler, "resources/read", { uri: "skill://pdf-processing/assets/logo.png" });
      expect(png.result.contents[0].blob).toBe(Buffer.from(PNG).toString("base64"));
      handler.close();
    },
  );

  it("makes a module with no import at all (nothing to resolve in an edge bundle)", () => {
    const code = skillsModule([{ path: "a", files: { "SKILL.md": skillMd("a"), "b.bin": PNG } }], false);
    expect(code).not.toMatch(/\bimport\s/);
    expect(code).toContain('"b.bin": bytes("');
  });
});

describe("portico-skills CLI", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
  };

  it("bundles a folder", async () => {
    const dir = folder("cli", FILES);
    const file = join(tmp, "cli-out", "skills.ts");
    const run = io();
    expect(await main(["bundle", dir, "--out", file], run.io)).toBe(0);
    expect(run.out[0]).toMatch(/bundled 3 skill\(s\), 6 file\(s\), \d+ bytes into .*skills.ts/);
    expect(readFileSync(file, "utf8")).toContain("export default skills;");
  });

  it.each([
    [[], /missing command/],
    [["pack", "x"], /unknown command "pack"/],
    [["bundle"], /missing <dir>/],
    [["bundle", "x"], /missing --out <file>/],
    [["bundle", "x", "y", "--out", "f.ts"], /unexpected argument "y"/],
    [["bundle", "x", "--nope"], /Unknown option '--nope'/],
  ])("answers usage errors with exit code 2: %j", async (args, message) => {
    const run = io();
    expect(await main(args as string[], run.io)).toBe(2);
    expect(run.err.join("\n")).toMatch(message);
    expect(run.err.join("\n")).toContain("Usage: portico-skills bundle <dir> --out <file>");
  });

  it("prints help, and fails with 1 on invalid skills or an unknown output type", async () => {
    const help = io();
    expect(await main(["--help"], help.io)).toBe(0);
    expect(help.out[0]).toContain("Usage:");
    const bad = io();
    const dir = folder("cli-bad", { "x/SKILL.md": "no front matter" });
    expect(await main(["bundle", dir, "--out", join(tmp, "x.ts")], bad.io)).toBe(1);
    expect(bad.err[0]).toMatch(/Skill "x": SKILL.md does not begin with YAML front matter/);
    const ext = io();
    expect(await main(["bundle", dir, "--out", join(tmp, "x.json")], ext.io)).toBe(1);
    expect(ext.err[0]).toMatch(/must end in .ts, .mts, .js or .mjs/);
  });
});
