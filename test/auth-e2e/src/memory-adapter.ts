/**
 * oidc-provider's storage, in this process's memory, for a test run (the `adapter` option; without
 * one, oidc-provider uses its own development adapter and warns about it on every start). One
 * instance per model (Session, Grant, AuthorizationCode, Client, Interaction, …); entries expire
 * after the lifetime oidc-provider gives them.
 */

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string };

interface Entry {
  payload: Payload;
  expiresAt: number;
}

/** All models' entries, keyed `<model>:<id>`, shared by the adapter instances of one server. */
export function memoryAdapter(): new (model: string) => unknown {
  const entries = new Map<string, Entry>();

  const live = (key: string): Payload | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return class MemoryAdapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    #key(id: string): string {
      return `${this.#model}:${id}`;
    }

    async upsert(id: string, payload: Payload, expiresIn: number | undefined): Promise<void> {
      const expiresAt = expiresIn === undefined ? Number.POSITIVE_INFINITY : Date.now() + expiresIn * 1000;
      entries.set(this.#key(id), { payload: structuredClone(payload), expiresAt });
    }

    async find(id: string): Promise<Payload | undefined> {
      const payload = live(this.#key(id));
      return payload === undefined ? undefined : structuredClone(payload);
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      for (const key of entries.keys()) {
        if (!key.startsWith(`${this.#model}:`)) continue;
        const payload = live(key);
        if (payload?.uid === uid) return structuredClone(payload);
      }
      return undefined;
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      for (const key of entries.keys()) {
        if (!key.startsWith(`${this.#model}:`)) continue;
        const payload = live(key);
        if (payload?.userCode === userCode) return structuredClone(payload);
      }
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const payload = live(this.#key(id));
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      entries.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(key);
    }
  };
}
