/**
 * The release flow of `.changeset/` on a clone of this repository: a pending changeset becomes one
 * version for every published `@portico/*` package (the `fixed` group), a CHANGELOG entry, and
 * nothing for the private ones (examples, tests, the bench). Publishing itself is `pnpm publish`,
 * whose tarballs `pack-install.test.ts` installs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CHANGESET = join(ROOT, "node_modules", "@changesets", "cli", "bin.js");
let clone = "";

afterAll(() => {
  if (clone !== "") rmSync(clone, { recursive: true, force: true });
});

const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(clone, dir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    private?: boolean;
    peerDependencies?: Record<string, string>;
  };

it("`changeset version` bumps every published package together and writes their changelogs", () => {
  clone = mkdtempSync(join(tmpdir(), "portico-release-"));
  execFileSync("git", ["clone", "--quiet", ROOT, clone], { stdio: "ignore" });
  const before = manifest("packages/core").version;
  writeFileSync(
    join(clone, ".changeset", "test-release.md"),
    '---\n"@portico/core": minor\n---\n\nA change a user would notice.\n',
  );
  execFileSync(process.execPath, [CHANGESET, "version"], { cwd: clone, stdio: "pipe", timeout: 60_000 });

  const [major, minor] = before.split(".").map(Number) as [number, number];
  const next = major === 0 ? `0.${minor + 1}.0` : `${major}.${minor + 1}.0`;
  const published = readdirSync(join(clone, "packages")).filter(
    (dir) => !manifest(`packages/${dir}`).private,
  );
  expect(published.length).toBeGreaterThan(5);
  for (const dir of published) {
    expect(manifest(`packages/${dir}`).version, dir).toBe(next);
    expect(existsSync(join(clone, "packages", dir, "CHANGELOG.md")), dir).toBe(true);
  }
  expect(readFileSync(join(clone, "packages", "core", "CHANGELOG.md"), "utf8")).toContain(
    "A change a user would notice.",
  );
  // Workspace ranges stay workspace ranges (pack turns them into real ones).
  expect(manifest("packages/adapter-node").peerDependencies?.["@portico/core"]).toBe("workspace:^");
  // Private packages are not versioned, and the changeset is consumed.
  expect(manifest("examples/quickstart").version).toBe("0.0.0");
  expect(existsSync(join(clone, ".changeset", "test-release.md"))).toBe(false);
});
