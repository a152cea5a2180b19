/**
 * Loading a document: JSON or YAML text or an object (copied, never changed), OpenAPI 3.0.x or
 * 3.1.x only, local `$ref`s resolved by json-schema-ref-parser with nothing read from files or the
 * network. References that are part of a cycle stay `$ref`s (the schema converter keeps them as
 * `$defs`); `resolve` follows one.
 */
import { $RefParser } from "@apidevtools/json-schema-ref-parser";
import { PorticoError } from "@portico/core";
import { parse as parseYaml } from "yaml";
import { refuseFanOut } from "./fan-out.ts";
import type { OpenApiDocument } from "./types.ts";
import { isObject, type JsonObject } from "./util.ts";

export interface LoadedDocument {
  readonly version: "3.0" | "3.1";
  /** The dereferenced document. */
  readonly root: JsonObject;
  /** The value a local `$ref` (`#/components/schemas/Pet`) points at. */
  resolve(ref: string): unknown;
}

function parseText(text: string): unknown {
  const trimmed = text.trimStart();
  try {
    // JSON.parse is much faster than the YAML parser on large documents.
    return trimmed.startsWith("{") ? JSON.parse(trimmed) : parseYaml(text);
  } catch (error) {
    const kind = trimmed.startsWith("{") ? "JSON" : "YAML";
    throw new PorticoError(
      "invalid_document",
      `The OpenAPI document is not valid ${kind}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

function versionOf(doc: JsonObject): "3.0" | "3.1" {
  if (doc.swagger !== undefined) {
    throw new PorticoError(
      "unsupported_version",
      `Swagger ${String(doc.swagger)} documents are not supported: convert the document to OpenAPI 3.0 or 3.1 first`,
    );
  }
  const version = doc.openapi;
  if (typeof version === "string" && /^3\.0(\.\d+)?$/.test(version)) return "3.0";
  if (typeof version === "string" && /^3\.1(\.\d+)?$/.test(version)) return "3.1";
  throw new PorticoError(
    "unsupported_version",
    version === undefined
      ? "Not an OpenAPI document: it has no `openapi` version field"
      : `OpenAPI ${JSON.stringify(version)} is not supported: 3.0.x and 3.1.x are`,
  );
}

/** Throws on the first `$ref` that leaves the document (a file or URL). */
function refuseExternalRefs(node: unknown, pointer: string, seen: Set<unknown>): void {
  if (!isObject(node) && !Array.isArray(node)) return;
  if (seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i += 1) refuseExternalRefs(node[i], `${pointer}/${i}`, seen);
    return;
  }
  const ref = node.$ref;
  if (typeof ref === "string" && !ref.startsWith("#")) {
    throw new PorticoError(
      "external_ref",
      `The OpenAPI document has an external $ref ${JSON.stringify(ref)} at ${pointer || "/"}: only local references ("#/…") are supported; bundle the document into one file first`,
    );
  }
  for (const key of Object.keys(node)) {
    // Example values are data, not references.
    if (key === "example") continue;
    refuseExternalRefs(node[key], `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, seen);
  }
}

/** `#/a/b~1c` → the value there, or `undefined`. */
export function pointerTarget(root: unknown, ref: string): unknown {
  if (ref === "#" || ref === "#/") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node = root;
  for (const raw of ref.slice(2).split("/")) {
    let key: string;
    try {
      key = decodeURIComponent(raw);
    } catch {
      key = raw;
    }
    key = key.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node) && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

function copy(document: JsonObject): JsonObject {
  try {
    return structuredClone(document);
  } catch {
    throw new PorticoError(
      "invalid_document",
      "The OpenAPI document object must be plain data (JSON values only)",
    );
  }
}

/** Parses, checks and dereferences an OpenAPI document. */
export async function loadDocument(input: OpenApiDocument): Promise<LoadedDocument> {
  // Any object type is accepted (a typed document from @hono/zod-openapi, openapi-types…): it is checked here.
  const parsed: unknown = typeof input === "string" ? parseText(input) : input;
  if (!isObject(parsed)) {
    throw new PorticoError(
      "invalid_document",
      "The OpenAPI document must be an object, or its JSON or YAML text",
    );
  }
  const version = versionOf(parsed);
  refuseExternalRefs(parsed, "", new Set());
  // Before any $ref is followed: dereferencing a document that fans out is itself exponential.
  refuseFanOut(parsed);
  // The parser dereferences in place: work on a copy (text was parsed just now, an object is the caller's).
  const doc = (typeof input === "string" ? parsed : copy(parsed)) as JsonObject;
  // Without `openapi: 3.1…` at the root the parser resolves every `#/…` against the document, as
  // OpenAPI authors mean it, even inside schemas that declare an `$id`.
  const openapi = doc.openapi;
  delete doc.openapi;
  try {
    await $RefParser.dereference(doc, {
      resolve: { external: false, file: false, http: false },
      dereference: { circular: "ignore" },
    });
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, " ");
    throw new PorticoError(
      "unresolved_ref",
      `The OpenAPI document has a $ref that does not resolve: ${message}`,
    );
  } finally {
    doc.openapi = openapi;
  }
  return { version, root: doc, resolve: (ref) => pointerTarget(doc, ref) };
}
