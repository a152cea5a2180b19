/** The command end to end in a temporary directory: what it writes, what it refuses, its prompts. */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { porticoVersion, run } from "../src/index.ts";

let cwd = "";

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "create-portico-"));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command; `answers` are typed into a terminal, line by line, as it prompts. */
async function create(argv: string[], answers?: string[]): Promise<Outcome> {
  const stdin = Object.assign(new PassThrough(), { isTTY: answers !== undefined });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk;
    // Answer each question once it is asked (a prompt ends with ": ").
    if (answers !== undefined && out.endsWith(": ")) stdin.write(`${answers.shift() ?? ""}\n`);
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk;
  });
  const code = await run(argv, { stdin, stdout, stderr, cwd });
  return { code, stdout: out, stderr: err };
}

const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(cwd, dir, "package.json"), "utf8")) as {
    name: string;
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
  };

describe("create-portico", () => {
  it("writes a project and prints the next steps", async () => {
    const outcome = await create(["my-app", "--runtime", "lambda-sam"]);
    expect(outcome).toMatchObject({ code: 0, stderr: "" });
    expect(outcome.stdout).toContain("Next:\n  cd my-app\n  npm install\n  npm run dev\n  npm test\n");
    const files = readdirSync(join(cwd, "my-app"), { recursive: true });
    expect(files).toEqual(expect.arrayContaining(["template.yaml", join("src", "handler.ts"), ".gitignore"]));
    const pkg = manifest("my-app");
    expect(pkg.name).toBe("my-app");
    expect(pkg.dependencies["@portico/adapter-lambda"]).toBe(`^${porticoVersion()}`);
    expect(pkg.dependencies["@portico/store-dynamodb"]).toBe(`^${porticoVersion()}`);
  });

  it("refuses a directory that is not empty, writing nothing; --force writes into it", async () => {
    mkdirSync(join(cwd, "taken"));
    writeFileSync(join(cwd, "taken", "notes.txt"), "mine");
    const refused = await create(["taken", "--runtime", "node"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      `create-portico: ${join(cwd, "taken")} is not empty (1 entry): choose another directory, or pass --force to write into it anyway\n`,
    );
    expect(readdirSync(join(cwd, "taken"))).toEqual(["notes.txt"]);

    const forced = await create(["taken", "--runtime", "node", "--force"]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, "taken", "notes.txt"), "utf8")).toBe("mine");
    expect(existsSync(join(cwd, "taken", "src", "server.ts"))).toBe(true);
  });

  it("refuses a file as the target", async () => {
    writeFileSync(join(cwd, "file"), "");
    const outcome = await create(["file", "--runtime", "node", "--force"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(`create-portico: ${join(cwd, "file")} exists and is not a directory\n`);
  });

  it("answers a usage problem with one line and the usage, exit 2", async () => {
    const outcome = await create(["app", "--runtime", "deno"]);
    expect(outcome.code).toBe(2);
    const [first, ...rest] = outcome.stderr.trimEnd().split("\n");
    expect(first).toBe(
      'create-portico: --runtime must be one of node, lambda-sam, lambda-cdk, vercel, workers (got "deno")',
    );
    expect(rest[0]).toMatch(/^usage: create-portico <dir> --runtime/);
    expect(existsSync(join(cwd, "app"))).toBe(false);
  });

  it("never prompts without a terminal: a missing runtime is a usage error", async () => {
    const outcome = await create(["app"]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.split("\n")[0]).toBe("create-portico: missing --runtime (or pass --yes for node)");
  });

  it("takes the defaults with --yes", async () => {
    const outcome = await create(["--yes"]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain("sessions in memory");
    expect(manifest("my-portico-app").dependencies).toHaveProperty("@portico/adapter-node");
  });

  it("derives a valid package name from the directory, and shows the package manager's commands", async () => {
    const outcome = await create(["My Server!", "--runtime", "workers", "--package-manager", "pnpm"]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('cd "My Server!"\n  pnpm install\n  pnpm run dev');
    expect(manifest("My Server!").name).toBe("my-server");
    expect(readFileSync(join(cwd, "My Server!", "wrangler.jsonc"), "utf8")).toContain('"name": "my-server"');
  });

  it("asks on a terminal for what is missing", async () => {
    // directory, runtime (3 = lambda-cdk), stores (2 = memory), name
    const outcome = await create([], ["prompted", "3", "2", "@acme/tools"]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain("Where will it run?");
    expect(outcome.stdout).toContain("Where do sessions live?\n  1) dynamodb (default)\n  2) memory");
    const pkg = manifest("prompted");
    expect(pkg.name).toBe("@acme/tools");
    expect(pkg.dependencies).not.toHaveProperty("@portico/store-dynamodb");
    expect(existsSync(join(cwd, "prompted", "cdk", "stack.ts"))).toBe(true);
  });

  it("asks again for a package name npm would refuse", async () => {
    // Runtime and stores typed as names, not numbers.
    const outcome = await create(["again"], ["vercel", "memory", "Bad Name", "good-name"]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('"Bad Name" is not a valid npm package name');
    expect(manifest("again").name).toBe("good-name");
    expect(manifest("again").dependencies).not.toHaveProperty("@portico/store-redis");
  });

  it("prints its usage with --help and its version with --version", async () => {
    expect((await create(["--help"])).stdout).toMatch(/^usage: create-portico/);
    expect((await create(["--version"])).stdout).toBe(`${porticoVersion()}\n`);
  });
});
