/** An operation's HTTP request from a tool's arguments (or a template's variables). */
import type { ArgPlan } from "./input.ts";
import { withoutReadOnly } from "./read-only.ts";
import { cookiePair, formBody, headerValue, pathValue, queryPairs } from "./serialize.ts";

/** What an operation needs to be called. */
export interface CallPlan {
  readonly method: string;
  /** Absolute, no trailing `/`. */
  readonly base: string;
  /** The path template: `/pets/{petId}`. */
  readonly path: string;
  readonly args: ArgPlan;
  /** The `Accept` header sent, if any. */
  readonly accept: string | undefined;
}

export interface RequestParts {
  url: string;
  headers: Headers;
  body: string | undefined;
}

/**
 * The body value: the `body` argument, or, for a merged body, the arguments that are not
 * parameters: the body schema's own properties, and the others only when it allows additional
 * properties; never a `readOnly` property, at any depth (the input schema hides them but allows
 * unlisted properties).
 */
function bodyValue(plan: ArgPlan, args: Record<string, unknown>): unknown {
  const value = givenBody(plan, args);
  const withheld = plan.body?.withheld;
  return value === undefined || withheld === undefined ? value : withoutReadOnly(value, withheld);
}

/** The body value as the arguments give it (a merged body without its top-level `readOnly` properties). */
function givenBody(plan: ArgPlan, args: Record<string, unknown>): unknown {
  const body = plan.body;
  if (body === undefined) return undefined;
  if (body.arg !== undefined) return args[body.arg];
  const fields = body.fields;
  const taken = new Set(plan.params.map((p) => p.arg));
  const value: Record<string, unknown> = {};
  let any = false;
  for (const [key, v] of Object.entries(args)) {
    if (taken.has(key) || v === undefined) continue;
    if (fields !== undefined && !fields.own.has(key) && (!fields.others || fields.readOnly.has(key)))
      continue;
    value[key] = v;
    any = true;
  }
  return any || body.required ? value : undefined;
}

/**
 * Throws when an argument made a path segment empty, `.` or `..`: percent-encoding leaves those
 * as they are and URL parsing resolves dot segments (`/items/..` is `/`), so the request would
 * reach another path than the operation's.
 */
function checkSegments(template: string, path: string): void {
  const before = template.split("/");
  path.split("/").forEach((segment, i) => {
    if (segment === before[i]) return;
    if (segment === "" || segment === "." || segment === "..") {
      throw new TypeError(
        `a path parameter cannot make the segment ${JSON.stringify(segment)} of ${template}`,
      );
    }
  });
}

/** `https://api.example.com:8443`: scheme, host and port (also for schemes whose `origin` is "null"). */
function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * Throws when the built URL is not on the base URL's origin (or is no URL): path arguments fill
 * the path only, so one that reached the host (a path template without its leading `/`, glued to a
 * base URL without a path) would send the request and its credentials elsewhere. Conversion
 * leaves such paths out; this holds whatever the plan.
 */
function checkOrigin(base: string, url: string): void {
  if (!URL.canParse(url) || originOf(new URL(url)) !== originOf(new URL(base))) {
    throw new TypeError("a path parameter cannot change the host the request goes to");
  }
}

export function buildRequest(call: CallPlan, args: Record<string, unknown>): RequestParts {
  const headers = new Headers();
  const query: string[] = [];
  const cookies: string[] = [];
  let path = call.path;
  for (const { arg, param } of call.args.params) {
    const value = args[arg];
    if (param.in === "path") {
      path = path
        .split(`{${param.name}}`)
        .join(value === undefined || value === null ? "" : pathValue(param, value));
      continue;
    }
    if (value === undefined || value === null) continue;
    if (param.in === "query") query.push(...queryPairs(param, value));
    else if (param.in === "header") headers.set(param.name, headerValue(param, value));
    else cookies.push(cookiePair(param, value));
  }
  checkSegments(call.path, path);
  if (cookies.length > 0) headers.set("cookie", cookies.join("; "));
  if (call.accept !== undefined) headers.set("accept", call.accept);
  let body: string | undefined;
  const value = bodyValue(call.args, args);
  const plan = call.args.body;
  if (plan !== undefined && value !== undefined) {
    body = plan.form ? formBody(value) : JSON.stringify(value);
    headers.set("content-type", plan.mediaType);
  }
  const url = `${call.base}${path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
  checkOrigin(call.base, url);
  return { url, headers, body };
}
