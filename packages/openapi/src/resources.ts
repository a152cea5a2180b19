/**
 * GET operations as resources: a fixed URI (the absolute URL of a path without parameters) or an
 * RFC 6570 template (path parameters as `{name}`, query parameters as `{?a,b}`); reading one calls
 * the operation. Header and cookie parameters cannot be given: a required one leaves the
 * operation out.
 */
import { PorticoError, UriTemplate } from "@portico/core";
import type { LoadedDocument } from "./document.ts";
import { follow, type Operation, type Parameter } from "./operations.ts";
import { isObject } from "./util.ts";

export interface ResourceShape {
  /** The URI, or the URI template. */
  readonly uri: string;
  /** Template variable → the tool argument it fills (`list`: a list parameter). */
  readonly variables: ReadonlyMap<string, { arg: string; param: Parameter; list: boolean }>;
}

/** An RFC 6570 variable name for a parameter name (`pet-id` → `pet_id`), unique in its template. */
function variableName(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .replace(/[^A-Za-z0-9_.]/g, "_")
      .replace(/^\.+|\.+$/g, "")
      .replace(/\.{2,}/g, ".") || "v";
  let variable = base;
  for (let i = 2; taken.has(variable); i += 1) variable = `${base}_${i}`;
  return variable;
}

function isArrayParam(doc: LoadedDocument, param: Parameter): boolean {
  const schema = follow(doc, param.schema);
  return (
    isObject(schema) &&
    (schema.type === "array" || (Array.isArray(schema.type) && schema.type.includes("array")))
  );
}

/** The resource's URI or template; a string: why the operation is left out. */
export function resourceShape(
  doc: LoadedDocument,
  op: Operation,
  kind: "resource" | "template",
  base: string,
  params: readonly { arg: string; param: Parameter }[],
): ResourceShape | string {
  const unsendable = op.parameters.find((p) => p.required && (p.in === "header" || p.in === "cookie"));
  if (unsendable !== undefined) {
    return `a resource cannot give its required ${unsendable.in} parameter ${unsendable.name}`;
  }
  const inUri = params.filter(({ param }) => param.in === "path" || param.in === "query");
  if (kind === "resource") {
    const needed = inUri.find(({ param }) => param.required);
    if (needed !== undefined) {
      throw new PorticoError(
        "invalid_route",
        `${op.label} is mapped to a resource, but its ${needed.param.in} parameter ${needed.param.name} is required: map it as a template`,
      );
    }
    return { uri: `${base}${op.info.path}`, variables: new Map() };
  }
  const variables = new Map<string, { arg: string; param: Parameter; list: boolean }>();
  let path = op.info.path;
  const query: string[] = [];
  for (const entry of inUri) {
    const { param } = entry;
    if (param.in === "query" && (param.style === "deepObject" || param.json)) {
      if (param.required)
        return `a resource template cannot give the ${param.style} query parameter ${param.name}`;
      continue;
    }
    const variable = variableName(param.name, new Set(variables.keys()));
    const list = isArrayParam(doc, param);
    variables.set(variable, { ...entry, list });
    if (param.in === "path") path = path.split(`{${param.name}}`).join(`{${variable}}`);
    else query.push(list && param.explode ? `${variable}*` : variable);
  }
  const uri = `${base}${path}${query.length > 0 ? `{?${query.join(",")}}` : ""}`;
  try {
    new UriTemplate(uri);
  } catch (error) {
    return `its URI template is not valid: ${(error as Error).message}`;
  }
  return { uri, variables };
}

/** Completions for the template variables whose schema (or item schema) is an enum. */
export function enumCompleters(
  doc: LoadedDocument,
  variables: ResourceShape["variables"],
): Record<string, (value: string) => string[]> | undefined {
  const complete: Record<string, (value: string) => string[]> = {};
  for (const [variable, { param }] of variables) {
    const top = follow(doc, param.schema);
    // A list parameter completes its items.
    const schema = isObject(top) && top.type === "array" ? follow(doc, top.items) : top;
    const values = isObject(schema) && Array.isArray(schema.enum) ? schema.enum : undefined;
    if (values === undefined) continue;
    const options = values.filter((v): v is string => typeof v === "string");
    complete[variable] = (value) => options.filter((o) => o.startsWith(value));
  }
  return Object.keys(complete).length > 0 ? complete : undefined;
}

/** Template variables (strings, or lists for exploded ones) as tool arguments. */
export function argumentsOf(
  variables: ResourceShape["variables"],
  values: Record<string, string | string[]>,
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [variable, { arg, list }] of variables) {
    const value = values[variable];
    if (value === undefined) continue;
    args[arg] = list && !Array.isArray(value) ? value.split(",") : value;
  }
  return args;
}
