/**
 * What the proxy has registered, by kind and key, each with a fingerprint of the upstream's
 * definition: updating from a new listing adds new definitions, removes gone ones and replaces
 * changed ones, and records what could not be registered.
 */

import type { Registration } from "@portico/core";
import type { Json } from "./json.ts";
import type { Registrar } from "./registrars.ts";
import type { Kind, SkippedDefinition, UnvalidatedSchema } from "./types.ts";

interface Registered {
  /** The upstream's definition, as JSON, to notice changes on refresh. */
  fingerprint: string;
  registration: Registration;
  /** Its schemas advertised without local validation (a tool with `unvalidatedSchemas: "forward"`). */
  unvalidated: readonly UnvalidatedSchema[];
}

export class Registry {
  readonly #registrars: Record<Kind, Registrar>;
  /** `${prefix}_`, or `""` without a prefix. */
  readonly #prefix: string;
  readonly #registered: Record<Kind, Map<string, Registered>> = {
    tool: new Map(),
    resource: new Map(),
    template: new Map(),
    prompt: new Map(),
  };
  #skipped: SkippedDefinition[] = [];

  constructor(registrars: Record<Kind, Registrar>, prefix: string) {
    this.#registrars = registrars;
    this.#prefix = prefix;
  }

  /** The registered keys of a kind (names with the prefix, URIs, URI templates). */
  keys(kind: Kind): string[] {
    return [...this.#registered[kind].keys()];
  }

  /** Whether `key` (a name with the prefix, a URI, a URI template) of a kind is registered. */
  has(kind: Kind, key: string): boolean {
    return this.#registered[kind].has(key);
  }

  /** What the latest update could not register. */
  get skipped(): SkippedDefinition[] {
    return [...this.#skipped];
  }

  /** The schemas of the registered definitions that are advertised but not validated locally. */
  get unvalidated(): UnvalidatedSchema[] {
    return Object.values(this.#registered).flatMap((map) =>
      [...map.values()].flatMap((entry) => entry.unvalidated.map((u) => ({ ...u }))),
    );
  }

  /** Brings the registrations in line with a new listing of the upstream. */
  update(definitions: Record<Kind, Json[]>): void {
    const prefix = this.#prefix;
    this.#skipped = [];
    this.#update("tool", definitions.tool, (t) => (typeof t.name === "string" ? prefix + t.name : undefined));
    this.#update("resource", definitions.resource, (r) => (typeof r.uri === "string" ? r.uri : undefined));
    this.#update("template", definitions.template, (t) =>
      typeof t.uriTemplate === "string" ? t.uriTemplate : undefined,
    );
    this.#update("prompt", definitions.prompt, (p) =>
      typeof p.name === "string" ? prefix + p.name : undefined,
    );
  }

  /** Removes every registration. */
  removeAll(): void {
    for (const map of Object.values(this.#registered)) {
      for (const entry of map.values()) entry.registration.remove();
      map.clear();
    }
  }

  #update(kind: Kind, definitions: Json[], keyOf: (definition: Json) => string | undefined): void {
    const map = this.#registered[kind];
    const register = this.#registrars[kind];
    const wanted = new Map<string, Json>();
    for (const definition of definitions) {
      const key = keyOf(definition);
      if (key === undefined) {
        this.#skipped.push({ kind, name: String(definition.name ?? "?"), reason: "no name or URI" });
      } else if (!wanted.has(key)) wanted.set(key, definition);
      else {
        // The upstream listed this name (or URI) twice: the first is served.
        this.#skipped.push({ kind, name: key, reason: "a duplicate in the upstream's listing" });
      }
    }
    const fingerprints = new Map<string, string | undefined>();
    for (const [key, definition] of wanted) fingerprints.set(key, fingerprintOf(definition));
    for (const [key, entry] of map) {
      if (fingerprints.get(key) !== entry.fingerprint) {
        entry.registration.remove();
        map.delete(key);
      }
    }
    for (const [key, definition] of wanted) {
      if (map.has(key)) continue;
      const fingerprint = fingerprints.get(key);
      if (fingerprint === undefined) {
        // Served as it is, it would make every client's list fail: left out.
        this.#skipped.push({
          kind,
          name: key,
          reason: "its definition cannot be written as JSON (nested too deep)",
        });
        continue;
      }
      try {
        const { registration, unvalidated = [] } = register(key, definition);
        map.set(key, { fingerprint, registration, unvalidated });
      } catch (error) {
        this.#skipped.push({
          kind,
          name: key,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}

/** The definition as JSON text (what tells a changed definition), or `undefined` when it cannot be written. */
function fingerprintOf(definition: Json): string | undefined {
  try {
    return JSON.stringify(definition);
  } catch {
    return undefined;
  }
}
