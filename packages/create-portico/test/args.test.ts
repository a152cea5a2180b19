import { describe, expect, it } from "vitest";
import { invalidPackageName, packageNameFrom, parseCliArgs, UsageError } from "../src/index.ts";

/** The UsageError `argv` throws (fails the test when it parses). */
function usageError(argv: string[]): UsageError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`${argv.join(" ")} parsed`);
}

describe("parseCliArgs", () => {
  it("reads every flag", () => {
    expect(
      parseCliArgs([
        "my-app",
        "--runtime",
        "lambda-cdk",
        "--stores",
        "memory",
        "--name",
        "@acme/mcp",
        "--package-manager",
        "pnpm",
        "--yes",
        "--force",
      ]),
    ).toEqual({
      directory: "my-app",
      runtime: "lambda-cdk",
      stores: "memory",
      name: "@acme/mcp",
      packageManager: "pnpm",
      yes: true,
      force: true,
      help: false,
      version: false,
    });
  });

  it("leaves out what is not given, and takes --flag=value and short flags", () => {
    expect(parseCliArgs(["--runtime=workers", "-y"])).toEqual({
      runtime: "workers",
      yes: true,
      force: false,
      help: false,
      version: false,
    });
    expect(parseCliArgs(["-h"]).help).toBe(true);
  });

  it("refuses an unknown flag, in one line", () => {
    const error = usageError(["app", "--runtim", "node"]);
    expect(error.message).toBe("Unknown option '--runtim'");
  });

  it("refuses a flag without its value", () => {
    expect(usageError(["app", "--runtime"]).message).toMatch(/--runtime.*argument missing/);
    expect(usageError(["app", "--runtime", "--yes"]).message).not.toContain("\n");
  });

  it("refuses an unknown runtime, stores or package manager, naming the choices", () => {
    expect(usageError(["app", "--runtime", "deno"]).message).toBe(
      '--runtime must be one of node, lambda-sam, lambda-cdk, vercel, workers (got "deno")',
    );
    expect(usageError(["app", "--stores", "postgres"]).message).toContain(
      "--stores must be one of memory, dynamodb, redis, durable-objects",
    );
    expect(usageError(["app", "--package-manager", "yarn"]).message).toContain("npm, pnpm");
  });

  it("refuses stores the runtime does not offer", () => {
    expect(usageError(["app", "--runtime", "workers", "--stores", "dynamodb"]).message).toBe(
      "--stores dynamodb does not go with --runtime workers (choose durable-objects or memory)",
    );
    expect(usageError(["app", "--runtime", "node", "--stores", "durable-objects"]).message).toContain(
      "choose memory or redis",
    );
    for (const runtime of ["lambda-sam", "lambda-cdk"]) {
      expect(parseCliArgs(["app", "--runtime", runtime, "--stores", "dynamodb"]).stores).toBe("dynamodb");
    }
  });

  it("refuses a package name npm would refuse, and two directories", () => {
    expect(usageError(["app", "--name", "My App"]).message).toMatch(
      /^--name: "My App" is not a valid npm package name/,
    );
    expect(usageError(["app", "--name", ""]).message).toBe("--name: the package name is empty");
    expect(usageError(["a", "b"]).message).toBe('one directory, please (got "a", "b")');
  });

  // npm refuses these for new packages (validate-npm-package-name: a leading hyphen, "~'!()*" in
  // the name, a Node core module's name, the excluded names), so a project must not get them.
  it("refuses names npm refuses for new packages", () => {
    for (const name of ["a~b", "~app", "@acme/a~b", "-app", "http", "fs", "node_modules", "favicon.ico"]) {
      expect(invalidPackageName(name), name).toBeDefined();
    }
    for (const name of ["app", "my-app", "a.b_c", "@acme/tools", "@a~b/tools", "http-server"]) {
      expect(invalidPackageName(name), name).toBeUndefined();
    }
  });

  it("derives a name npm accepts from any directory name", () => {
    for (const base of [
      "my~app",
      "~",
      "http",
      "Fs",
      "node_modules",
      "favicon.ico",
      "-x-",
      "My Server!",
      "é",
    ]) {
      const name = packageNameFrom(base);
      expect(invalidPackageName(name), `${base} -> ${name}`).toBeUndefined();
    }
  });
});
