/**
 * GET operations as resources: a fixed URI (the absolute URL of a path without parameters) or an
 * RFC 6570 template whose URIs read as the API's own URLs: path parameters as `{name}` (`simple`),
 * `{.name}` (`label`) or `{;name}` (`matrix`), query parameters as `{?a,b}` (`{?tags*}` for an
 * exploded list, one variable per named member for an exploded `form` object); reading one calls
 * the operation. Header and cookie parameters cannot be given: a required one leaves the
 * operation out, as does a required parameter a template cannot carry (a `deepObject` or JSON
 * query parameter, an exploded `matrix` object, an exploded `form` object whose schema names no
 * members); an optional one is left out of the template.
 */
import { PorticoError, UriTemplate } from "@portico/core";
import type { LoadedDocument } from "./document.ts";
import { follow, type Operation, type Parameter } from "./operations.ts";
import { isObject } from "./util.ts";

/** What a parameter's value is, as far as reading it from a URI goes. */
export type ValueKind = "scalar" | "list" | "object";

/** A template variable: the tool argument it fills, and how its text is read. */
export interface TemplateVariable {
  readonly arg: string;
  readonly param: Parameter;
  readonly kind: ValueKind;
  /** An exploded `form` object's member this variable gives (a query parameter of its own). */
  readonly member?: string;
}

export interface ResourceShape {
  /** The URI, or the URI template. */
  readonly uri: string;
  /** Template variable → the tool argument it fills. */
  readonly variables: ReadonlyMap<string, TemplateVariable>;
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

/** What a parameter's schema says its value is: a list, an object (by `type`, or by its keywords without one), or a scalar. */
function kindOf(doc: LoadedDocument, param: Parameter): ValueKind {
  const schema = follow(doc, param.schema);
  if (!isObject(schema)) return "scalar";
  const types =
    typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? schema.type : [];
  if (types.includes("array")) return "list";
  if (types.includes("object")) return "object";
  if (types.length === 0 && (isObject(schema.properties) || isObject(schema.additionalProperties)))
    return "object";
  return "scalar";
}

/** The member names an object parameter's schema declares. */
function memberNames(doc: LoadedDocument, param: Parameter): string[] {
  const schema = follow(doc, param.schema);
  return isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties) : [];
}

/** The path expression of a path parameter, or why a template cannot carry it. */
function pathExpression(param: Parameter, kind: ValueKind, variable: string): string | { reason: string } {
  const many = param.explode && kind !== "scalar" ? "*" : "";
  switch (param.style) {
    case "label":
      return `{.${variable}${many}}`;
    case "matrix":
      // `;R=100;G=200`: the names are the object's keys, which an RFC 6570 match does not recover.
      if (param.explode && kind === "object") {
        return {
          reason: `a resource template cannot give the exploded matrix object path parameter ${param.name}`,
        };
      }
      return `{;${variable}${many}}`;
    default:
      return `{${variable}}`;
  }
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
  const variables = new Map<string, TemplateVariable>();
  let path = op.info.path;
  const query: string[] = [];
  for (const entry of inUri) {
    const { param } = entry;
    const kind = kindOf(doc, param);
    if (param.in === "path") {
      const variable = variableName(param.name, new Set(variables.keys()));
      const expression = pathExpression(param, kind, variable);
      if (typeof expression !== "string") return expression.reason;
      variables.set(variable, { ...entry, kind });
      path = path.split(`{${param.name}}`).join(expression);
      continue;
    }
    if (param.style === "deepObject" || param.json) {
      if (param.required)
        return `a resource template cannot give the ${param.style} query parameter ${param.name}`;
      continue;
    }
    if (kind === "object" && param.style === "form" && param.explode) {
      // `?R=100&G=200`: each member the schema names is a query parameter of its own.
      const members = memberNames(doc, param);
      if (members.length === 0) {
        if (param.required)
          return `a resource template cannot give the exploded form object query parameter ${param.name}: its schema names no members`;
        continue;
      }
      for (const member of members) {
        const variable = variableName(member, new Set(variables.keys()));
        variables.set(variable, { ...entry, kind, member });
        query.push(variable);
      }
      continue;
    }
    const variable = variableName(param.name, new Set(variables.keys()));
    variables.set(variable, { ...entry, kind });
    query.push(kind === "list" && param.style === "form" && param.explode ? `${variable}*` : variable);
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
  for (const [variable, { param, member }] of variables) {
    const whole = follow(doc, param.schema);
    // An exploded form object's variable completes its member.
    const top =
      member !== undefined && isObject(whole) && isObject(whole.properties)
        ? follow(doc, whole.properties[member])
        : whole;
    // A list parameter completes its items.
    const schema = isObject(top) && top.type === "array" ? follow(doc, top.items) : top;
    const values = isObject(schema) && Array.isArray(schema.enum) ? schema.enum : undefined;
    if (values === undefined) continue;
    const options = values.filter((v): v is string => typeof v === "string");
    const completer = (value: string) => options.filter((o) => o.startsWith(value));
    complete[variable] = completer;
  }
  return Object.keys(complete).length > 0 ? complete : undefined;
}
