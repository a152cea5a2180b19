/** `fromOpenAPI`: an OpenAPI document's operations as a server's tools, resources and resource templates. */
import {
  addResource,
  addResourceTemplate,
  addTool,
  type HandlerContext,
  type JsonSchema,
  jsonSchema,
  type McpServer,
  PorticoError,
  type Registration,
  type ResourceReader,
  type ResourceTemplateReader,
  type ToolAnnotations,
} from "@portico/core";
import { baseUrlOf, checkBaseUrl } from "./base-url.ts";
import { type LoadedDocument, loadDocument } from "./document.ts";
import { exchange, type Runtime } from "./http.ts";
import { buildInput } from "./input.ts";
import { defaultName, NameBook } from "./names.ts";
import { listOperations, type Operation, pathProblem } from "./operations.ts";
import { checkOptions } from "./options.ts";
import { buildOutput, type OutputPlan, successMediaTypes } from "./output.ts";
import { ReadOnlyPlanner } from "./read-only.ts";
import type { CallPlan } from "./request.ts";
import { enumCompleters, resourceShape } from "./resources.ts";
import { resourceContents, toolResult } from "./results.ts";
import { routeOf } from "./routes.ts";
import { SchemaConverter } from "./schema.ts";
import { templateArguments } from "./template-arguments.ts";
import type { OpenApiDocument, OpenApiOptions, OpenApiRegistration } from "./types.ts";

/** Hints from the HTTP method's semantics (RFC 9110); every operation reaches outside the server. */
function annotationsOf(method: string): ToolAnnotations {
  if (method === "GET" || method === "HEAD") return { readOnlyHint: true, openWorldHint: true };
  if (method === "DELETE") return { destructiveHint: true, idempotentHint: true, openWorldHint: true };
  if (method === "PUT") return { idempotentHint: true, openWorldHint: true };
  return { openWorldHint: true };
}

/** `title` and `description` from the operation's summary and description. */
function describe(op: Operation): { title?: string; description?: string } {
  const { summary, description, deprecated } = op.info;
  const text = description ?? summary;
  const out: { title?: string; description?: string } = {};
  if (summary !== undefined) out.title = summary;
  if (deprecated) out.description = `Deprecated. ${text ?? ""}`.trim();
  else if (text !== undefined) out.description = text;
  return out;
}

/** The `Accept` header: the success response's JSON type when there is one. */
function acceptOf(doc: LoadedDocument, op: Operation, json: string | undefined): string | undefined {
  if (json !== undefined) return json;
  const types = successMediaTypes(doc, op);
  return types.length > 0 ? types.join(", ") : undefined;
}

// The handlers are made outside `fromOpenAPI`, so that they keep only what a call needs, not the
// whole dereferenced document.

function toolHandler(runtime: Runtime, call: CallPlan, output: OutputPlan) {
  return async (args: Record<string, unknown>, ctx: HandlerContext) =>
    toolResult(await exchange(runtime, call, args, ctx), output);
}

function resourceReader(runtime: Runtime, call: CallPlan): ResourceReader {
  return async (uri, ctx) => resourceContents(await exchange(runtime, call, {}, ctx), uri, ctx.era);
}

/** Reads a template's resource: its variables checked as the tool's arguments would be, then the call. */
function templateReader(
  runtime: Runtime,
  call: CallPlan,
  argumentsOf: (values: Record<string, string | string[]>) => Promise<Record<string, unknown>>,
): ResourceTemplateReader {
  return async (uri, variables, ctx) =>
    resourceContents(await exchange(runtime, call, await argumentsOf(variables), ctx), uri, ctx.era);
}

/**
 * Registers an OpenAPI 3.0/3.1 document's operations on `server`: by default each one a tool that
 * calls the API; route maps make GET operations resources or resource templates, or leave
 * operations out. Throws a `PorticoError` on a document it cannot use (Swagger 2.0, an external
 * `$ref`, a relative server URL without `baseUrl`) and on misconfiguration; operations it cannot
 * convert (a multipart body, …) are listed in `skipped`.
 */
export async function fromOpenAPI(
  server: McpServer,
  document: OpenApiDocument,
  options: OpenApiOptions = {},
): Promise<OpenApiRegistration> {
  try {
    return await register(server, document, options);
  } catch (error) {
    // A document nested deeper than the conversion's recursion can go (schemas inside schemas,
    // thousands deep): a PorticoError like every other problem of the document.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new PorticoError(
        "document_too_deep",
        "The OpenAPI document nests too deeply (schemas inside schemas, thousands of levels) to convert",
      );
    }
    throw error;
  }
}

async function register(
  server: McpServer,
  document: OpenApiDocument,
  options: OpenApiOptions,
): Promise<OpenApiRegistration> {
  checkOptions(options);
  const doc = await loadDocument(document);
  const converter = new SchemaConverter(doc);
  const planner = new ReadOnlyPlanner(doc, converter);
  const baseUrl = options.baseUrl === undefined ? undefined : checkBaseUrl(options.baseUrl);
  const runtime: Runtime = {
    // Looked up at each call, so a fetch replaced later (a test double, instrumentation) is used.
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    headers: options.headers,
    auth: options.auth,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
  };
  const names = new NameBook(server.registry("tools").keys());
  const registrations: Registration[] = [];
  const pending: (() => Registration)[] = [];
  const result: OpenApiRegistration = {
    tools: [],
    resources: [],
    templates: [],
    skipped: [],
    remove: () => {
      for (const r of registrations) r.remove();
    },
  };

  for (const op of listOperations(doc)) {
    const kind = routeOf(options.routes, op.info);
    if (kind === "exclude") continue;
    if (kind !== "tool" && op.info.method !== "GET") {
      throw new PorticoError(
        "invalid_route",
        `${op.label} is mapped to a ${kind}, but only GET operations can be resources or templates`,
      );
    }
    const badPath = pathProblem(op.info.path);
    if (badPath !== undefined) {
      result.skipped.push({ operation: op.label, reason: badPath });
      continue;
    }
    const input = buildInput(op, converter, planner);
    if (!input.ok) {
      result.skipped.push({ operation: op.label, reason: input.reason });
      continue;
    }
    const output = buildOutput(doc, op, converter, kind === "tool" && options.validateOutput === true);
    const base = baseUrlOf(doc, op, baseUrl);
    const call: CallPlan = {
      method: op.info.method,
      base,
      path: op.info.path,
      args: input.plan,
      accept: acceptOf(doc, op, output.mediaType),
    };
    const text = describe(op);
    if (kind === "tool") {
      const name = names.take(options.name?.(op.info) ?? defaultName(op.info));
      const config = {
        ...text,
        input: jsonSchema(input.schema),
        ...(output.schema === undefined ? {} : { output: jsonSchema(output.schema) }),
        annotations: annotationsOf(op.info.method),
      };
      result.tools.push(name);
      pending.push(() =>
        addTool<JsonSchema, JsonSchema | undefined>(server, name, config, toolHandler(runtime, call, output)),
      );
      continue;
    }
    const shape = resourceShape(doc, op, kind, base, input.plan.params);
    if (typeof shape === "string") {
      result.skipped.push({ operation: op.label, reason: shape });
      continue;
    }
    const name = names.take(options.name?.(op.info) ?? defaultName(op.info));
    const mimeType = output.mediaType ?? successMediaTypes(doc, op)[0];
    const config = { name, ...text, ...(mimeType === undefined ? {} : { mimeType }) };
    if (kind === "resource") {
      result.resources.push(shape.uri);
      pending.push(() => addResource(server, shape.uri, config, resourceReader(runtime, call)));
    } else {
      result.templates.push(shape.uri);
      const complete = enumCompleters(doc, shape.variables);
      const templateConfig = { ...config, ...(complete ? { complete } : {}) };
      const read = templateReader(runtime, call, templateArguments(shape, input.schema, op.label));
      pending.push(() => addResourceTemplate(server, shape.uri, templateConfig, read));
    }
  }
  // All or nothing: a registration that fails (a duplicate resource URI, …) undoes the others.
  try {
    for (const register of pending) registrations.push(register());
  } catch (error) {
    result.remove();
    throw error;
  }
  return result;
}
