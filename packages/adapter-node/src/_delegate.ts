/**
 * How the adapter's lightweight stand-ins (a request over an `IncomingMessage`, its headers) answer
 * the members they do not implement themselves, and become `instanceof` the platform's class.
 *
 * On Node the global `Request` and `Headers` live in undici, and touching either loads all of it
 * (tens of milliseconds). So nothing here touches them until needed: members are delegated by name
 * to the real object `realOf(this)`, and the stand-in's prototype is made to inherit the platform's
 * only by {@link inheritPlatform}, which the adapter calls for apps that did not declare
 * `acceptsBufferedRequests` (they may check `instanceof Request` or pass the request to
 * `new Request(…)`). A Portico handler never needs it.
 */

/** Defines `getters` and `methods` on `light.prototype`, each answered by `realOf(this)[name]`. */
export function delegateByName(
  light: { prototype: object },
  getters: readonly string[],
  methods: readonly (string | symbol)[],
  realOf: (self: never) => object,
): void {
  const real = realOf as (self: unknown) => Record<string | symbol, unknown>;
  for (const key of getters) {
    Object.defineProperty(light.prototype, key, {
      get(this: unknown) {
        return real(this)[key];
      },
    });
  }
  for (const key of methods) {
    Object.defineProperty(light.prototype, key, {
      value(this: unknown, ...args: unknown[]) {
        const target = real(this);
        return (target[key] as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
  }
}

const inherited = new WeakSet<object>();

/** Makes `light.prototype` inherit `base().prototype` (once), so stand-ins pass `instanceof`. */
export function inheritPlatform(light: { prototype: object }, base: () => { prototype: object }): void {
  if (inherited.has(light)) return;
  inherited.add(light);
  Object.setPrototypeOf(light.prototype, base().prototype);
}
