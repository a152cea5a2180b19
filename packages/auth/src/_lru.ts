/**
 * A Map bounded to `capacity` entries, and to `maxWeight` in total of the weights given to `set`,
 * dropping the least recently used; entries expire at `until` (epoch ms).
 */
export class ExpiringLru<V> {
  readonly #capacity: number;
  readonly #maxWeight: number;
  readonly #entries = new Map<string, { value: V; until: number; weight: number }>();
  #weight = 0;

  constructor(capacity: number, maxWeight = Number.POSITIVE_INFINITY) {
    this.#capacity = Math.max(1, capacity);
    this.#maxWeight = maxWeight;
  }

  get(key: string, now: number): { value: V } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.until <= now) {
      this.#weight -= entry.weight;
      return undefined;
    }
    this.#entries.set(key, entry);
    return { value: entry.value };
  }

  /** Keeps `value` (of `weight`, default 0); one heavier than `maxWeight` alone is not kept. */
  set(key: string, value: V, until: number, weight = 0): void {
    this.#drop(key);
    if (weight > this.#maxWeight) return;
    this.#entries.set(key, { value, until, weight });
    this.#weight += weight;
    while (this.#entries.size > this.#capacity || this.#weight > this.#maxWeight) {
      this.#drop(this.#entries.keys().next().value as string);
    }
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  get size(): number {
    return this.#entries.size;
  }
}
