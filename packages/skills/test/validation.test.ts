/** Registration-time validation: every refusal names the skill and the file. */
import { McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { addSkills, type SkillDefinition, validateSkill } from "../src/index.ts";
import { PDF, skill, skillMd } from "./_helpers.ts";

const refuse = (definition: SkillDefinition, pattern: RegExp, options = {}) =>
  expect(() => validateSkill(definition, options)).toThrow(pattern);

describe("validateSkill", () => {
  it("accepts a realistic skill and returns its front matter", () => {
    expect(validateSkill(PDF)).toEqual({
      name: "pdf-processing",
      frontmatter: {
        name: "pdf-processing",
        description: "Extract, fill, and assemble PDF documents",
        metadata: { version: "2.1.0" },
      },
    });
    expect(validateSkill(skill("acme/billing/refunds")).name).toBe("refunds");
  });

  it("needs SKILL.md, as text, with front matter holding name and description", () => {
    refuse({ path: "a", files: { "README.md": "x" } }, /Skill "a" has no SKILL.md at its root/);
    refuse(
      { path: "a", files: { "SKILL.md": new Uint8Array([1]) } },
      /Skill "a": SKILL.md must be given as text/,
    );
    refuse(
      { path: "a", files: { "SKILL.md": "# no front matter" } },
      /Skill "a": SKILL.md does not begin with YAML front matter/,
    );
    refuse(
      { path: "a", files: { "SKILL.md": "---\nname: [a\n---\n" } },
      /Skill "a": SKILL.md has front matter that is not valid YAML/,
    );
    refuse({ path: "a", files: { "SKILL.md": "---\n- a\n---\n" } }, /not a YAML mapping/);
    refuse(
      { path: "a", files: { "SKILL.md": "---\ndescription: d\n---\n" } },
      /Skill "a": SKILL.md front matter needs a non-empty "name"/,
    );
    refuse({ path: "a", files: { "SKILL.md": "---\nname: a\n---\n" } }, /needs a non-empty "description"/);
    refuse(
      { path: "a", files: { "SKILL.md": "---\nname: a\ndescription: ''\n---\n" } },
      /needs a non-empty "description"/,
    );
    refuse(
      { path: "a", files: { "SKILL.md": "---\nname: a\ndescription: d\nx: .inf\n---\n" } },
      /non-finite number at front matter.x/,
    );
  });

  it("applies the naming rules to the last path segment and requires it to equal the name", () => {
    refuse(skill("PDF"), /last segment "PDF" is the skill name and must be 1-64 lowercase/);
    refuse(skill("-pdf"), /must be 1-64 lowercase/);
    refuse(skill("pdf--x"), /must be 1-64 lowercase/);
    refuse(skill("a".repeat(65)), /must be 1-64 lowercase/);
    expect(() => validateSkill(skill("a".repeat(64)))).not.toThrow();
    refuse(
      { path: "pdf", files: { "SKILL.md": skillMd("other") } },
      /"name" is "other" but the path's last segment is "pdf"/,
    );
  });

  it("checks the path: the authority is a reg-name, no empty or dot segments", () => {
    refuse(
      skill("bad host/pdf"),
      /first segment "bad host" is the URI authority and must be an RFC 3986 reg-name/,
    );
    refuse(skill("acme//pdf"), /empty, "." or ".." segment/);
    refuse(skill("acme/../pdf"), /empty, "." or ".." segment/);
    refuse(skill("/pdf"), /empty, "." or ".." segment/);
    refuse({ path: "", files: {} }, /A skill needs a path/);
  });

  it("refuses percent-encoded dot segments in the path, which URI normalisation resolves", () => {
    // RFC 3986 §6.2.2.2 and the WHATWG URL parser read "%2e%2e" as "..": a client would turn
    // skill://acme/%2e%2e/pdf/SKILL.md into skill://acme/pdf/SKILL.md, another skill's address.
    for (const path of ["acme/%2e%2e/pdf", "acme/%2E/pdf", "acme/.%2e/pdf", "acme/%2e./pdf", "%2e%2e/pdf"]) {
      refuse(skill(path), /empty, "." or ".." segment/);
    }
    expect(() => validateSkill(skill("acme/%2e%2ex/pdf"))).not.toThrow();
  });

  it("refuses a file path that is not well-formed Unicode with a PorticoError naming the file", () => {
    // A lone surrogate has no UTF-8 form, so no URI: the error must name the skill, not be a URIError.
    refuse(skill("a", { "x\ud800.md": "x" }), /Skill "a": file .* is not well-formed Unicode/);
  });

  it("keeps file paths inside the skill", () => {
    for (const bad of ["../x.md", "a/../../x.md", "/etc/passwd", "C:/x", "a\\b.md", "a//b.md", "./a.md"]) {
      refuse(
        skill("a", { [bad]: "x" }),
        /Skill "a": file .* (must be a relative path|has an empty, "\." or "\.\." segment)/,
      );
    }
    refuse(skill("a", { "a\u0000b": "x" }), /control character/);
  });

  it("refuses the reserved metadata prefix", () => {
    const md = skillMd("a", "d", 'metadata:\n  "io.modelcontextprotocol/x": 1\n');
    refuse(
      { path: "a", files: { "SKILL.md": md } },
      /metadata key "io.modelcontextprotocol\/x" uses the prefix .* reserved/,
    );
  });

  it("enforces the file and size limits", () => {
    const many = Object.fromEntries(Array.from({ length: 512 }, (_, i) => [`f${i}.md`, "x"]));
    refuse(skill("a", many), /Skill "a" has 513 files; the limit is 512/);
    refuse(
      skill("a", { "big.bin": new Uint8Array(2000) }),
      /Skill "a" is larger than 1000 bytes \(at file "big.bin"\)/,
      {
        maxBytes: 1000,
      },
    );
    expect(() => validateSkill(skill("a"), { maxFiles: 0 })).toThrow(/maxFiles must be a positive integer/);
  });
});

describe("addSkills", () => {
  const server = () => new McpServer({ name: "t", version: "1" });

  it("refuses duplicate paths and, by default, duplicate names — changing nothing", async () => {
    const s = server();
    expect(() => addSkills(s, [skill("a"), skill("a")])).toThrow(/Skill "a" is given twice/);
    const set = addSkills(s, [skill("acme/refunds")]);
    expect(() => addSkills(s, [skill("other/refunds")])).toThrow(
      /has the name "refunds" of skill "acme\/refunds"/,
    );
    await expect(set.put(skill("x/refunds"))).rejects.toThrow(/names must be unique/);
    expect(set.paths()).toEqual(["acme/refunds"]);
  });

  it("allows shared names with uniqueNames: false, and refuses other options later", () => {
    const s = server();
    addSkills(s, [skill("acme/refunds"), skill("other/refunds")], { uniqueNames: false });
    expect(() => addSkills(s, [], { uniqueNames: true })).toThrow(/already serves skills with other options/);
    expect(() => addSkills(s, [skill("third/refunds")])).not.toThrow();
  });

  it("one source cannot replace or remove another's skill", async () => {
    const s = server();
    const first = addSkills(s, [skill("a")]);
    const second = addSkills(s, []);
    await expect(second.put(skill("a"))).rejects.toThrow(/Skill "a" is already served by another source/);
    expect(second.remove("a")).toBe(false);
    expect(first.remove("a")).toBe(true);
  });

  it("nested skills must agree on the files they share", () => {
    const s = server();
    const inner = skillMd("inner");
    expect(() =>
      addSkills(s, [
        { path: "outer", files: { "SKILL.md": skillMd("outer"), "inner/SKILL.md": "changed" } },
        { path: "outer/inner", files: { "SKILL.md": inner } },
      ]),
    ).toThrow(
      /Skill "outer\/inner": file "SKILL.md" differs from the same file \(skill:\/\/outer\/inner\/SKILL.md\) in skill "outer"/,
    );
    expect(() =>
      addSkills(s, [
        { path: "outer", files: { "SKILL.md": skillMd("outer"), "inner/SKILL.md": inner } },
        { path: "outer/inner", files: { "SKILL.md": inner } },
      ]),
    ).not.toThrow();
  });
});
