/**
 * Runs the official JSON Schema Test Suite (draft2020-12, required files only, not `optional/`)
 * through core's validator. The suite is read from a checkout of
 * https://github.com/json-schema-org/JSON-Schema-Test-Suite named by JSON_SCHEMA_TEST_SUITE
 * (the folder holding `tests/`); without it the tests are skipped. No npm package carries the
 * draft2020-12 files (`@json-schema-org/tests@2.0.0` pulls a 2020 git commit from GitHub that
 * predates them).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateJsonSchema } from "../src/json-schema/_validate.ts";

interface SuiteGroup {
  description: string;
  schema: Record<string, unknown> | boolean;
  tests: Array<{ description: string; data: unknown; valid: boolean }>;
}

/** Whole files left out, with the reason. */
const SKIP_FILES: Record<string, string> = {
  "refRemote.json": "remote $refs: the validator fetches nothing",
  "vocabulary.json": "custom metaschema with $vocabulary, loaded from a remote document",
};

/** Groups (`file: group description`) left out, with the reason. */
const SKIP_GROUPS: Record<string, string> = {
  "defs.json: validate definition against metaschema": "$ref to the remote 2020-12 metaschema",
  "ref.json: remote ref, containing refs itself": "$ref to the remote 2020-12 metaschema",
  "dynamicRef.json: strict-tree schema, guards against misspelled properties": "remote tree.json",
  "dynamicRef.json: tests for implementation dynamic anchor and reference link":
    "remote extendible-dynamic-ref.json",
  "dynamicRef.json: $ref and $dynamicAnchor are independent of order - $defs first":
    "remote extendible-dynamic-ref.json",
  "dynamicRef.json: $ref and $dynamicAnchor are independent of order - $ref first":
    "remote extendible-dynamic-ref.json",
  "dynamicRef.json: $ref to $dynamicRef finds detached $dynamicAnchor": "remote detached-dynamicref.json",
};

const root = process.env.JSON_SCHEMA_TEST_SUITE;
const dir = root === undefined ? undefined : join(root, "tests", "draft2020-12");
const available = dir !== undefined && existsSync(dir);
const files = available ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];

describe.skipIf(!available)("JSON Schema Test Suite, draft2020-12 (set JSON_SCHEMA_TEST_SUITE)", () => {
  it("finds the suite and every skipped file and group in it", () => {
    expect(files.length).toBeGreaterThan(40);
    for (const file of Object.keys(SKIP_FILES)) expect(files).toContain(file);
    const groups = files.flatMap((file) =>
      (JSON.parse(readFileSync(join(dir ?? "", file), "utf8")) as SuiteGroup[]).map(
        (g) => `${file}: ${g.description}`,
      ),
    );
    for (const group of Object.keys(SKIP_GROUPS)) expect(groups).toContain(group);
  });

  for (const file of files.sort()) {
    const groups = JSON.parse(readFileSync(join(dir ?? "", file), "utf8")) as SuiteGroup[];
    describe.skipIf(file in SKIP_FILES)(file, () => {
      for (const group of groups) {
        describe.skipIf(`${file}: ${group.description}` in SKIP_GROUPS)(group.description, () => {
          for (const test of group.tests) {
            it(test.description, () => {
              const issues = validateJsonSchema(group.schema, test.data);
              expect(issues.length === 0, JSON.stringify(issues)).toBe(test.valid);
            });
          }
        });
      }
    });
  }
});
