/** What a generated project is made of: the runtime it deploys to and where its sessions live. */
import { builtinModules } from "node:module";

/** The deployment targets, each a complete project layout. */
export const RUNTIMES = ["node", "lambda-sam", "lambda-cdk", "vercel", "workers"] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** Where legacy-era sessions, event logs and the bus live. */
export const STORE_KINDS = ["memory", "dynamodb", "redis", "durable-objects"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export const PACKAGE_MANAGERS = ["npm", "pnpm"] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** The stores each runtime offers, its default first. */
export const STORES_BY_RUNTIME: Readonly<Record<Runtime, readonly StoreKind[]>> = {
  node: ["memory", "redis"],
  "lambda-sam": ["dynamodb", "memory"],
  "lambda-cdk": ["dynamodb", "memory"],
  vercel: ["redis", "memory"],
  workers: ["durable-objects", "memory"],
};

/** One line per runtime, for the prompt and the help text. */
export const RUNTIME_DESCRIPTIONS: Readonly<Record<Runtime, string>> = {
  node: "a Node.js server (node:http)",
  "lambda-sam": "AWS Lambda, Function URL with response streaming, deployed by a SAM template",
  "lambda-cdk": "AWS Lambda, Function URL with response streaming, deployed by a CDK app",
  vercel: "a Vercel Function (Node.js runtime)",
  workers: "a Cloudflare Worker",
};

/** The stores a runtime uses when none are asked for. */
export function defaultStores(runtime: Runtime): StoreKind {
  return STORES_BY_RUNTIME[runtime][0] as StoreKind;
}

/** Everything a project is generated from. */
export interface ProjectOptions {
  /** The npm package name of the project (also the Worker's and the stack's name, made safe). */
  name: string;
  runtime: Runtime;
  stores: StoreKind;
  packageManager: PackageManager;
}

/** A scope may hold `~`; the name itself may not (npm refuses `~'!()*` in new package names). */
const NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-][a-z0-9-._]*$/;
/** Names npm refuses for new packages although they are well-formed: Node's core modules and two more. */
const RESERVED = new Set([
  ...builtinModules.filter((module) => !module.includes(":")),
  "node_modules",
  "favicon.ico",
]);

/** Why `name` cannot be an npm package name, or `undefined` when it can. */
export function invalidPackageName(name: string): string | undefined {
  if (name.length === 0) return "the package name is empty";
  if (name.length > 214) return "the package name is longer than 214 characters";
  if (!NAME.test(name) || name.startsWith("-")) {
    return `${JSON.stringify(name)} is not a valid npm package name (lowercase letters, digits, "-", "." and "_", not starting with "-", optionally @scope/)`;
  }
  if (RESERVED.has(name))
    return `${JSON.stringify(name)} is reserved by npm (a Node.js core module or a reserved name)`;
  return undefined;
}

/**
 * A package name from a directory's base name: lowercased, anything else turned into "-"; a name
 * npm reserves (`http`, `node_modules`…) gets "-app" appended.
 */
export function packageNameFrom(base: string): string {
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9-._]+/g, "-")
    .replace(/^[-._]+|-+$/g, "")
    .slice(0, 214);
  if (name === "") return "portico-app";
  return RESERVED.has(name) ? `${name}-app` : name;
}

/** A name of letters, digits and "-" starting with a letter (Worker names, CloudFormation stacks). */
export function resourceName(packageName: string): string {
  const base = packageName
    .replace(/^@[^/]*\//, "")
    .replace(/[^a-zA-Z0-9-]+/g, "-")
    .replace(/^[^a-zA-Z]+|-+$/g, "")
    .slice(0, 60);
  return base === "" ? "portico-app" : base;
}
