/** A Map bounded to `capacity` entries, dropping the least recently used; entries expire at `until` (epoch ms). */
export class ExpiringLru<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, { value: V; until: number }>();

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  get(key: string, now: number): { value: V } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.until <= now) return undefined;
    this.#entries.set(key, entry);
    return { value: entry.value };
  }

  set(key: string, value: V, until: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, until });
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
