import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { HandlerOptions, McpServer } from "@portico/core";
import type { FetchApp } from "@portico/host";
import { CliError } from "../_errors.ts";
import { type BuildOutcome, EntryBundler } from "./_bundle.ts";
import { type CoreModule, projectCore } from "./_core.ts";
import { importBundle } from "./_import.ts";
import { pickTarget, type Target } from "./_pick.ts";
import { cacheDir } from "./_project.ts";

export type { Target } from "./_pick.ts";

/** Options of {@link loadEntry} and {@link watchEntry}. */
export interface LoadOptions {
  /** The export to serve; default: see the entry convention in the README. */
  exportName?: string;
}

/** A tools module, built and imported: what it serves and the core that serves it. */
export interface LoadedEntry {
  target: Target;
  /** The export used (`default`, `server`, …). */
  exportName: string;
  /** `@portico/core` as the entry's project resolves it (`undefined` if it has none). */
  core: CoreModule | undefined;
}

/** The entry's absolute path; a missing one is a one-line error (exit 2). */
export function resolveEntry(entry: string): string {
  const file = resolve(entry);
  if (!existsSync(file)) throw new CliError(`cannot find ${entry} (looked at ${file})`, 2);
  if (!statSync(file).isFile()) throw new CliError(`${entry} is not a file: give the tools module`, 2);
  return file;
}

async function coreFor(file: string): Promise<CoreModule | undefined> {
  const own = await projectCore(cacheDir(file));
  if (own !== undefined) return own;
  try {
    return (await import("@portico/core")) as CoreModule;
  } catch {
    return undefined;
  }
}

async function importEntry(bundle: string, file: string, entry: string, opts: LoadOptions) {
  const core = await coreFor(file);
  const isServer = (value: unknown): value is McpServer =>
    core !== undefined && value instanceof core.McpServer;
  const mod = await importBundle(bundle, entry);
  const { target, name } = await pickTarget(mod, isServer, entry, opts.exportName);
  return { target, exportName: name, core };
}

function built(outcome: BuildOutcome): string {
  if (!outcome.ok) throw new CliError(outcome.message, 1);
  return outcome.file;
}

/** Builds (TypeScript or JavaScript, with esbuild) and imports a tools module once. */
export async function loadEntry(entry: string, opts: LoadOptions = {}): Promise<LoadedEntry> {
  const file = resolveEntry(entry);
  const bundler = new EntryBundler(file);
  return importEntry(built(await bundler.build()), file, entry, opts);
}

/** What {@link watchEntry} reports after the first load. */
export interface WatchEvents {
  /** A change built and imported: serve this now. */
  onReload(loaded: LoadedEntry, ms: number): void;
  /** A change that did not build or load: one line; the last good version stays. */
  onError(message: string): void;
}

/** A watched entry: the first load, and `close()` to stop watching. */
export interface WatchedEntry {
  first: LoadedEntry;
  close(): Promise<void>;
}

/**
 * Loads a tools module, then rebuilds and re-imports it whenever it or a local file it imports
 * changes (packages are not watched). The first load failing throws; later failures go to
 * `onError` and the previous version stays.
 */
export async function watchEntry(
  entry: string,
  opts: LoadOptions,
  events: WatchEvents,
): Promise<WatchedEntry> {
  const file = resolveEntry(entry);
  const bundler = new EntryBundler(file);
  let current: string | undefined;
  let queue = Promise.resolve();
  const onBuild = (outcome: BuildOutcome): void => {
    queue = queue.then(async () => {
      if (!outcome.ok) return events.onError(outcome.message);
      if (!outcome.changed) return;
      try {
        const loaded = await importEntry(outcome.file, file, entry, opts);
        const previous = current;
        current = outcome.file;
        if (previous !== undefined) bundler.forget(previous);
        events.onReload(loaded, Math.round(performance.now() - outcome.startedAt));
      } catch (error) {
        events.onError(error instanceof Error ? error.message : String(error));
      }
    });
  };
  try {
    current = built(await bundler.watch(onBuild));
    const first = await importEntry(current, file, entry, opts);
    return { first, close: () => bundler.dispose() };
  } catch (error) {
    await bundler.dispose();
    throw error;
  }
}

/** A fetch app made from a loaded entry, and how to release it. */
export interface EntryApp {
  app: FetchApp;
  /** Stops the handler forwarding server events (servers only). */
  close(): void;
}

/**
 * The fetch handler of a loaded entry: a server gets `createHandler(server, options)` of its own
 * core; a `{ fetch }` handler is served as it is (the options do not apply to it).
 */
export function entryApp(loaded: LoadedEntry, options: HandlerOptions = {}): EntryApp {
  const { target, core } = loaded;
  if (target.kind === "app") return { app: target.app, close: () => {} };
  if (core === undefined) throw new CliError("cannot load @portico/core from the entry's project", 1);
  const handler = core.createHandler(target.server, options);
  return { app: handler, close: () => handler.close() };
}
