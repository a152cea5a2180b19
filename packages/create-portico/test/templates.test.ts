/**
 * The rendered projects: every runtime and store gets the files the README promises, standalone
 * (no workspace ranges, no source condition), at versions in step with the workspace.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  LIBRARY_VERSIONS,
  type ProjectOptions,
  porticoVersion,
  RUNTIMES,
  renderProject,
  STORES_BY_RUNTIME,
  TOOL_VERSIONS,
} from "../src/index.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** The entry and the deploy configuration of each runtime. */
const ENTRY_AND_DEPLOY = {
  node: ["src/server.ts"],
  "lambda-sam": ["src/handler.ts", "template.yaml"],
  "lambda-cdk": ["src/handler.ts", "cdk/app.ts", "cdk/stack.ts", "cdk.json"],
  vercel: ["api/mcp.ts", "vercel.json"],
  workers: ["src/index.ts", "wrangler.jsonc"],
} as const;

const combinations = RUNTIMES.flatMap((runtime) =>
  STORES_BY_RUNTIME[runtime].map(
    (stores): ProjectOptions => ({ name: "t", runtime, stores, packageManager: "npm" }),
  ),
);

describe.each(combinations)("$runtime with $stores stores", (options) => {
  const files = renderProject(options, "1.2.3");
  const manifest = JSON.parse(files["package.json"] as string) as {
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    engines: { node: string };
  };

  it("has the common files, the runtime's entry and deploy configuration, and a test", () => {
    const paths = Object.keys(files);
    expect(paths).toEqual(
      expect.arrayContaining([
        "package.json",
        "tsconfig.json",
        ".gitignore",
        "README.md",
        "src/tools.ts",
        ...ENTRY_AND_DEPLOY[options.runtime],
      ]),
    );
    expect(paths.some((path) => /^test\/[^_].*\.test\.ts$/.test(path))).toBe(true);
  });

  it("has dev, build and test scripts, a deploy script where it deploys, and engines", () => {
    expect(Object.keys(manifest.scripts)).toEqual(expect.arrayContaining(["dev", "build", "test"]));
    if (options.runtime !== "node") expect(manifest.scripts.deploy).toBeTruthy();
    expect(manifest.engines.node).toBe(">=22.18");
  });

  it("depends on published packages only: @portico/* at ^version, tools pinned", () => {
    const portico = Object.entries(manifest.dependencies).filter(([name]) => name.startsWith("@portico/"));
    expect(portico.length).toBeGreaterThanOrEqual(2);
    for (const [, range] of portico) expect(range).toBe("^1.2.3");
    for (const [name, version] of Object.entries(manifest.devDependencies)) {
      expect(version, name).toBe(TOOL_VERSIONS[name as keyof typeof TOOL_VERSIONS]);
    }
    for (const [path, text] of Object.entries(files)) {
      expect(text, path).not.toContain("workspace:");
      expect(text, path).not.toContain("@portico/source");
    }
  });

  it("imports only the @portico packages it depends on", () => {
    const imported = new Set(
      Object.values(files).flatMap((text) =>
        [...text.matchAll(/from "(@portico\/[\w-]+)/g)].map((m) => m[1]),
      ),
    );
    for (const name of imported) expect(manifest.dependencies, name).toHaveProperty(name as string);
  });

  it("names its stores' package and no other store package", () => {
    const stores = Object.keys(manifest.dependencies).filter((name) => name.startsWith("@portico/store-"));
    expect(stores).toEqual(options.stores === "memory" ? [] : [`@portico/store-${options.stores}`]);
  });

  // `vercel env pull` writes .env.local, wrangler reads .env* and .dev.vars.<env>: secrets that
  // must not be committed. Checked with git itself, in a throwaway repository.
  it("keeps local secret files out of git, and the sources in", () => {
    const dir = mkdtempSync(join(tmpdir(), "create-portico-ignore-"));
    try {
      writeFileSync(join(dir, ".gitignore"), files[".gitignore"] as string);
      execFileSync("git", ["init", "-q"], { cwd: dir, timeout: 10_000 });
      const ignored = (path: string) => {
        try {
          execFileSync("git", ["check-ignore", "-q", "--no-index", path], { cwd: dir, timeout: 10_000 });
          return true;
        } catch {
          return false;
        }
      };
      const secrets = [".env", ".env.local", ".env.production.local", ".env.development"];
      if (options.runtime === "workers") secrets.push(".dev.vars", ".dev.vars.staging");
      for (const path of secrets) expect(ignored(path), path).toBe(true);
      for (const path of Object.keys(files)) expect(ignored(path), path).toBe(false);
      expect(ignored(".env.example")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has a strict tsconfig", () => {
    const config = JSON.parse(files["tsconfig.json"] as string) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(config.compilerOptions).toMatchObject({ strict: true, noUncheckedIndexedAccess: true });
  });
});

describe("made for pnpm", () => {
  const render = (runtime: ProjectOptions["runtime"]) =>
    renderProject(
      { name: "t", runtime, stores: STORES_BY_RUNTIME[runtime][0] as never, packageManager: "pnpm" },
      "1.2.3",
    );

  it("allows the install scripts pnpm would refuse to run, where the project has any", () => {
    expect(render("workers")["pnpm-workspace.yaml"]).toContain(
      "allowBuilds:\n  esbuild: true\n  workerd: true\n",
    );
    expect(render("lambda-cdk")["pnpm-workspace.yaml"]).toContain("onlyBuiltDependencies:\n  - esbuild\n");
    expect(render("node")).not.toHaveProperty("pnpm-workspace.yaml");
    const npm: ProjectOptions = { name: "t", runtime: "workers", stores: "memory", packageManager: "npm" };
    expect(renderProject(npm, "1.2.3")).not.toHaveProperty("pnpm-workspace.yaml");
  });

  it("allows the same install scripts to npm (package.json allowScripts), whatever the package manager", () => {
    const manifest = (runtime: ProjectOptions["runtime"], packageManager: "npm" | "pnpm") =>
      JSON.parse(
        renderProject(
          { name: "t", runtime, stores: STORES_BY_RUNTIME[runtime][0] as never, packageManager },
          "1.2.3",
        )["package.json"] as string,
      ) as { allowScripts?: unknown };
    for (const packageManager of ["npm", "pnpm"] as const) {
      expect(manifest("workers", packageManager).allowScripts).toStrictEqual({
        esbuild: true,
        workerd: true,
      });
      expect(manifest("lambda-sam", packageManager).allowScripts).toStrictEqual({ esbuild: true });
      expect(manifest("lambda-cdk", packageManager).allowScripts).toStrictEqual({ esbuild: true });
      expect(manifest("vercel", packageManager).allowScripts).toStrictEqual({ esbuild: true });
      expect(manifest("node", packageManager)).not.toHaveProperty("allowScripts");
    }
  });

  it("shows pnpm's commands in the README and the scripts", () => {
    const files = render("vercel");
    expect(files["README.md"]).toContain("pnpm install\npnpm run dev");
    expect(files["README.md"]).toContain("pnpm exec vercel link");
    expect(files["README.md"]).toContain("pnpm dlx @modelcontextprotocol/inspector");
    expect(files["README.md"]).not.toMatch(/\bnpx |\bnpm (run|install|test)/);
    expect(JSON.parse(render("lambda-cdk")["package.json"] as string).scripts.deploy).toBe(
      "pnpm run build && pnpm dlx aws-cdk@2 deploy --app cdk.out",
    );
  });
});

describe("versions", () => {
  const lock = readFileSync(join(ROOT, "pnpm-lock.yaml"), "utf8");
  const locked = (name: string) =>
    [...lock.matchAll(new RegExp(`\\n {2}'?${name.replace("/", "\\/")}@(\\d[^(:'\\s]*)`, "g"))].map(
      (m) => m[1],
    );

  it("are the versions the workspace builds and tests with (pnpm-lock.yaml)", () => {
    for (const [name, version] of Object.entries({ ...TOOL_VERSIONS, ...LIBRARY_VERSIONS })) {
      expect(locked(name), name).toContain(version);
    }
  });

  it("of @portico/* are this package's own, which every published package shares", () => {
    for (const dir of readdirSync(join(ROOT, "packages"))) {
      const file = join(ROOT, "packages", dir, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8")) as {
        version: string;
        private?: boolean;
      };
      if (!manifest.private) expect(manifest.version, dir).toBe(porticoVersion());
    }
  });
});
