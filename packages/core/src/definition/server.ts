/**
 * The server definition: its identity, its middleware, the definitions registered by the family
 * modules (`addTool`, `addResource`, `addResourceTemplate`, `addPrompt`, `addMethods`) and the
 * method table they install. It knows no family itself, so a server carries only the code of the
 * families it uses. A definition is runtime-free; `createHandler(server, options)` serves it.
 */
import { validScopes } from "../auth/scopes.ts";
import { PorticoError } from "../errors.ts";
import type { Definitions, MethodFamily, MethodSpec, Middleware, RequestScope } from "./method.ts";
import { checkTagFilter, passes, type TagFilter, validTags } from "./tags.ts";
import type { Implementation } from "./types.ts";

export type ListKind = "tools" | "resources" | "prompts";

export type ServerEvent =
  | { type: "list_changed"; kind: ListKind }
  | { type: "resource_updated"; uri: string };

/** A handle to remove what was registered; removal emits list_changed. */
export interface Registration {
  remove(): void;
}

export interface ServerOptions extends Implementation {
  /** Guidance for the model (returned by `initialize` and `server/discover`). */
  instructions?: string;
  /** Page size of every list method. Default 100. */
  pageSize?: number;
  /**
   * Which definitions the server exposes, by their `tags`: those with one of `include` (when
   * given) and none of `exclude`. The others are left out of lists and answer as unknown.
   */
  tags?: TagFilter;
}

/**
 * A method in the table, with the family that declared it.
 * @internal
 */
export interface InstalledMethod {
  readonly spec: MethodSpec;
  readonly family: MethodFamily;
}

/**
 * A Portico MCP server definition.
 *
 * ```ts
 * const server = new McpServer({ name: "demo", version: "1.0.0" });
 * addTool(server, "add", { input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b));
 * server.use(async (call, next) => { const result = await next(); return result; });
 * ```
 */
export class McpServer implements Definitions {
  readonly info: Implementation;
  readonly instructions: string | undefined;
  readonly pageSize: number;
  /** Which definitions are exposed, by their tags (`ServerOptions.tags`). */
  readonly tags: TagFilter | undefined;
  /**
   * The server-wide middleware, in order.
   * @internal Read by the dispatcher; add with `use()`.
   */
  readonly middleware: Middleware[] = [];
  /**
   * The `scope` of each server-wide middleware that has one, in order.
   * @internal Read by the handler; added with `use()`.
   */
  readonly scopes: RequestScope[] = [];
  /** Every definition, exposed or not (for duplicate checks). */
  readonly #registries = new Map<string, Map<string, unknown>>();
  /** The exposed ones: what `registry()` gives the families. */
  readonly #exposed = new Map<string, Map<string, unknown>>();
  readonly #methods = new Map<string, InstalledMethod>();
  /** Installed families in order (a family may declare no method: an extension of capabilities only). */
  readonly #families = new Set<MethodFamily>();
  readonly #listeners = new Set<(event: ServerEvent) => void>();
  /** While `batch` runs: each kind changed, with how to undo each of its additions. */
  #batched: Map<ListKind, (() => void)[]> | undefined;

  constructor(options: ServerOptions) {
    const { instructions, pageSize, tags, ...info } = options ?? ({} as ServerOptions);
    if (
      typeof info.name !== "string" ||
      info.name === "" ||
      typeof info.version !== "string" ||
      !info.version
    )
      throw new PorticoError("invalid_server", "A server needs a name and a version");
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0))
      throw new PorticoError("invalid_server", `pageSize must be a positive integer, got ${pageSize}`);
    checkTagFilter(tags, "McpServer");
    this.tags = tags;
    this.info = info;
    this.instructions = instructions;
    this.pageSize = pageSize ?? 100;
  }

  /**
   * Adds middleware that wraps every MCP request (lists included), in the order added: the first
   * added runs first and sees the final result last. Per-definition middleware (`use` in a tool's,
   * prompt's or resource's config) runs inside these, next to its handler. A middleware whose
   * `enabled` property is `false` is left out.
   */
  use(...middleware: Middleware[]): this {
    for (const m of middleware) {
      if (typeof m !== "function")
        throw new PorticoError("invalid_middleware", "middleware must be a function");
      if (m.enabled === false) continue;
      if (m.scope !== undefined && typeof m.scope !== "function")
        throw new PorticoError("invalid_middleware", "a middleware's scope must be a function");
      this.middleware.push(m);
      if (m.scope !== undefined) this.scopes.push(m.scope);
    }
    return this;
  }

  /** Tells subscribers (legacy `resources/subscribe`, modern `subscriptions/listen`) that a resource changed. */
  resourceUpdated(uri: string): void {
    this.#emit({ type: "resource_updated", uri });
  }

  /**
   * Runs `change`, holding back the `list_changed` events of the definitions it registers and
   * removes, then emits one per kind that changed (in the order first changed) before returning
   * its result: a change of many definitions (a skill's files) is one notification per kind to
   * each client, not one per definition. `change` is synchronous: what it does after an `await`
   * is emitted as usual. `resourceUpdated` is never held back; a `batch` inside a batch just runs.
   * A listener that refuses a kind's event (a mount whose parent holds a clashing name) undoes
   * every addition of that kind made in the batch, as it undoes a single registration, and
   * `batch` throws its error once the other kinds are emitted; an error `change` throws is
   * thrown after the events of what it did.
   *
   * ```ts
   * server.batch(() => {
   *   for (const file of files) addResource(server, file.uri, file.config, file.read);
   * }); // one notifications/resources/list_changed
   * ```
   */
  batch<T>(change: () => T): T {
    if (this.#batched !== undefined) return change();
    const batched = new Map<ListKind, (() => void)[]>();
    this.#batched = batched;
    let result: T | undefined;
    let failure: { error: unknown } | undefined;
    try {
      result = change();
    } catch (error) {
      failure = { error };
    }
    this.#batched = undefined;
    for (const [kind, undos] of batched) {
      try {
        this.#listChanged(kind, undos);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
    return result as T;
  }

  /** Observes definition changes (handlers use this to fan out notifications). */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The exposed definitions of one kind (those `tags` lets through), keyed by name or URI
   * (read-only: register and remove through the family functions).
   */
  registry<E>(kind: string): ReadonlyMap<string, E> {
    return (this.#exposed.get(kind) ?? EMPTY) as ReadonlyMap<string, E>;
  }

  /**
   * Adds `entry` under `key` to the definitions of `kind` and, when `tags` exposes it, emits
   * `list_changed` for `changes`; throws on a duplicate key (`what` names the thing in the error)
   * and, undoing the addition, on an error a listener throws (a mount's name clash).
   * @internal For the family modules' registration functions.
   */
  register<E>(kind: string, what: string, key: string, entry: E, changes: ListKind): Registration {
    const all = mapOf(this.#registries, kind);
    if (all.has(key)) throw new PorticoError("duplicate", `${what} "${key}" is already registered`);
    const config = (entry as { config?: { scopes?: unknown; tags?: unknown } }).config;
    if (!validScopes(config?.scopes)) {
      throw new PorticoError(
        "invalid_scopes",
        `${what} "${key}": scopes must be an array of scope tokens (non-empty, no spaces or quotes)`,
      );
    }
    if (!validTags(config?.tags))
      throw new PorticoError("invalid_tags", `${what} "${key}": tags must be an array of non-empty strings`);
    // Tags never change, so whether a definition is exposed is settled here, once.
    const exposed = passes(this.tags, config?.tags as readonly string[] | undefined);
    const shown = mapOf(this.#exposed, kind);
    all.set(key, entry);
    if (!exposed) return { remove: () => void (all.get(key) === entry && all.delete(key)) };
    shown.set(key, entry);
    const undo = (): void => {
      if (all.get(key) !== entry) return;
      all.delete(key);
      shown.delete(key);
    };
    this.#changed(changes, undo);
    return {
      remove: () => {
        if (all.get(key) !== entry) return;
        all.delete(key);
        shown.delete(key);
        this.#changed(changes, undefined);
      },
    };
  }

  /** `kind` changed (`undo`: how to take back an addition): emitted now, or at the end of `batch`. */
  #changed(kind: ListKind, undo: (() => void) | undefined): void {
    const batched = this.#batched;
    if (batched === undefined) {
      this.#listChanged(kind, undo === undefined ? [] : [undo]);
      return;
    }
    const undos = batched.get(kind);
    if (undos === undefined) batched.set(kind, undo === undefined ? [] : [undo]);
    else if (undo !== undefined) undos.push(undo);
  }

  /**
   * Emits `list_changed` for `kind`. A listener that throws (a mount it clashes with) refuses the
   * additions: they are undone, the others told, and its error thrown.
   */
  #listChanged(kind: ListKind, undos: readonly (() => void)[]): void {
    try {
      this.#emit({ type: "list_changed", kind });
    } catch (error) {
      if (undos.length > 0) {
        for (const undo of undos) undo();
        this.#emit({ type: "list_changed", kind });
      }
      throw error;
    }
  }

  /**
   * Installs a family's methods in the table (again: no change). A method another family declared
   * already is refused.
   * @internal Use `addMethods(server, family)`.
   */
  install(family: MethodFamily): void {
    // Every addTool installs its family: the second time is a lookup.
    if (this.#families.has(family)) return;
    for (const name of Object.keys(family.methods)) {
      const installed = this.#methods.get(name);
      if (installed !== undefined && installed.family !== family) {
        throw new PorticoError(
          "duplicate",
          `Method "${name}" is already declared by the ${installed.family.name} family`,
        );
      }
    }
    for (const [name, spec] of Object.entries(family.methods)) this.#methods.set(name, { spec, family });
    this.#families.add(family);
  }

  /**
   * The table entry of `method`, if some family declared it.
   * @internal
   */
  method(method: string): InstalledMethod | undefined {
    return this.#methods.get(method);
  }

  /**
   * Every installed family, once each, in installation order.
   * @internal
   */
  families(): MethodFamily[] {
    return [...this.#families];
  }

  #emit(event: ServerEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

const EMPTY: ReadonlyMap<string, unknown> = new Map();

function mapOf(maps: Map<string, Map<string, unknown>>, kind: string): Map<string, unknown> {
  let map = maps.get(kind);
  if (map === undefined) {
    map = new Map();
    maps.set(kind, map);
  }
  return map;
}
