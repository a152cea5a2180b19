/**
 * How large a document becomes once its `$ref`s are followed, measured before they are: a few
 * kilobytes whose schemas each point twice at the one before expand to millions of nodes — in the
 * dereferencing, in every tool's schema and in every client's `tools/list`. Each value is sized
 * once (a reference adds its target's size, a cycle adds nothing), without recursion, so the
 * measure itself is linear in the document.
 */
import { PorticoError } from "@portico/core";
import { isObject } from "./util.ts";

/** Most nodes one operation expands to (the 13 MB GitHub document's largest: about 19 000). */
export const MAX_OPERATION_NODES = 200_000;
/** Most nodes the whole document expands to (GitHub's: about 2 000 000). */
export const MAX_DOCUMENT_NODES = 20_000_000;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Throws `document_too_large` when an operation, or the document, expands past its bound. */
export function refuseFanOut(root: Record<string, unknown>): void {
  const sizes = new Map<unknown, number>();
  const size = sizer(root, sizes);
  const paths = isObject(root.paths) ? root.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      // With the path item's shared parameters.
      const nodes = size(operation) + size(item.parameters);
      if (nodes > MAX_OPERATION_NODES) {
        throw new PorticoError(
          "document_too_large",
          `${method.toUpperCase()} ${path} expands to more than ${MAX_OPERATION_NODES} schema nodes once its $refs are followed (schemas that refer to others many times over); the largest real-world operations are a tenth of that`,
        );
      }
    }
  }
  if (size(root) > MAX_DOCUMENT_NODES) {
    throw new PorticoError(
      "document_too_large",
      `The OpenAPI document expands to more than ${MAX_DOCUMENT_NODES} nodes once its $refs are followed (schemas that refer to others many times over)`,
    );
  }
}

/** `size(value)`: its nodes with every local `$ref` followed (memoised in `sizes`; capped to stay a safe integer). */
function sizer(root: Record<string, unknown>, sizes: Map<unknown, number>): (value: unknown) => number {
  const CAP = Number.MAX_SAFE_INTEGER / 4;
  const target = (ref: string): unknown => {
    if (!ref.startsWith("#/")) return undefined;
    let node: unknown = root;
    for (const part of ref.slice(2).split("/")) {
      const key = decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~");
      node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    }
    return node;
  };
  /** The values a node refers to or holds. */
  const children = (node: object): unknown[] => {
    const out: unknown[] = Array.isArray(node) ? [...node] : Object.values(node);
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string") out.push(target(ref));
    return out;
  };
  return (value) => {
    if (typeof value !== "object" || value === null) return 1;
    // An explicit depth-first walk: a node's size is known once all its children's are.
    const onPath = new Set<unknown>();
    const stack: { node: object; kids: unknown[]; at: number; total: number }[] = [];
    const enter = (node: object) => {
      onPath.add(node);
      stack.push({ node, kids: children(node), at: 0, total: 1 });
    };
    enter(value);
    let last = 0;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as (typeof stack)[number];
      if (frame.at < frame.kids.length) {
        const kid = frame.kids[frame.at++];
        if (typeof kid !== "object" || kid === null) frame.total += 1;
        else if (sizes.has(kid)) frame.total = Math.min(CAP, frame.total + (sizes.get(kid) as number));
        else if (onPath.has(kid))
          frame.total += 1; // a cycle: a $ref the converter keeps
        else enter(kid);
        continue;
      }
      stack.pop();
      onPath.delete(frame.node);
      sizes.set(frame.node, frame.total);
      last = frame.total;
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.total = Math.min(CAP, parent.total + frame.total);
    }
    return last;
  };
}
