/** Checks `fromOpenAPI`'s options before any work, with one clear error per mistake. */
import { PorticoError } from "@portico/core";
import { MAX_TIMER_MS } from "@portico/host";
import type { OpenApiOptions } from "./types.ts";

const KINDS = new Set(["tool", "resource", "template", "exclude"]);

function fail(message: string): never {
  throw new PorticoError("invalid_options", `fromOpenAPI: ${message}`);
}

function positive(value: unknown, name: string): void {
  if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0))
    fail(`${name} must be a positive number, not ${JSON.stringify(value)}`);
}

/** A duration in ms that arms a timer: a positive finite number, at most {@link MAX_TIMER_MS}. */
function timerMs(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value === "number" && Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS) return;
  const shown = typeof value === "number" ? String(value) : JSON.stringify(value);
  fail(
    `${name} must be a positive number of ms, at most ${MAX_TIMER_MS} (2^31−1, about 24.8 days), not ${shown}`,
  );
}

export function checkOptions(options: OpenApiOptions): void {
  if (typeof options !== "object" || options === null) fail("options must be an object");
  timerMs(options.timeoutMs, "timeoutMs");
  positive(options.maxResponseBytes, "maxResponseBytes");
  if (options.fetch !== undefined && typeof options.fetch !== "function") fail("fetch must be a function");
  if (options.fetch === undefined && typeof globalThis.fetch !== "function")
    fail("this runtime has no global fetch: give options.fetch");
  if (options.name !== undefined && typeof options.name !== "function") fail("name must be a function");
  if (options.routes !== undefined) {
    if (!Array.isArray(options.routes)) fail("routes must be an array of route maps");
    for (const [i, map] of options.routes.entries()) {
      if (typeof map !== "object" || map === null || !KINDS.has(map.as))
        fail(`routes[${i}].as must be "tool", "resource", "template" or "exclude"`);
    }
  }
  const auth = options.auth;
  if (
    auth !== undefined &&
    auth !== "forward" &&
    typeof auth !== "function" &&
    !(typeof auth === "object" && typeof auth?.header === "string" && typeof auth.value === "string")
  ) {
    fail('auth must be { header, value }, "forward" or a function of the request context');
  }
  if (options.headers !== undefined) headersOf(options.headers, "headers");
  if (typeof auth === "object") headersOf({ [auth.header]: auth.value }, "auth");
}

/** Checks names and values are valid HTTP header names and values. */
function headersOf(value: unknown, name: string): void {
  if (typeof value !== "object" || value === null)
    fail(`${name} must be an object of header names to values`);
  try {
    new Headers(value as Record<string, string>);
  } catch (error) {
    fail(`${name} has an invalid header: ${(error as Error).message}`);
  }
}
