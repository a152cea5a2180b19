/** Tool and resource names: from `operationId`, else `<method>_<path>`, fitted to the tool name rule and unique. */
import type { OpenApiOperation } from "./types.ts";

/** The core's tool name rule: 1-128 of `A-Z a-z 0-9 _ - . /`. */
export const NAME_RULE = /^[A-Za-z0-9_.\-/]{1,128}$/;
/** Room left for a `_NN` suffix. */
const MAX_BASE = 120;

/** `text` with every run of other characters as one `_`, trimmed of `_`, at most 120 characters. */
export function sanitizeName(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.\-/]+/g, "_")
    .replace(/_{2,}/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, MAX_BASE);
}

/** The default name of an operation. */
export function defaultName(op: OpenApiOperation): string {
  const fromId = op.operationId === undefined ? "" : sanitizeName(op.operationId);
  if (fromId !== "") return fromId;
  const fromPath = sanitizeName(`${op.method.toLowerCase()}_${op.path.replace(/[/{}]+/g, "_")}`);
  return fromPath === "" ? "operation" : fromPath;
}

/** Hands out names, each once: a taken name gets `_2`, `_3`… */
export class NameBook {
  readonly #taken: Set<string>;

  constructor(taken: Iterable<string> = []) {
    this.#taken = new Set(taken);
  }

  take(base: string): string {
    let name = base;
    for (let i = 2; this.#taken.has(name); i += 1) name = `${base}_${i}`;
    this.#taken.add(name);
    return name;
  }
}
