/**
 * Makes `Light.prototype` inherit `Base.prototype` and answers every member of `Base.prototype`
 * that `Light` does not implement itself by calling it on the real object `realOf(this)`, so a
 * lightweight stand-in (request, headers) passes `instanceof Base` and behaves like one throughout.
 */
export function inheritByDelegation(
  light: { prototype: object },
  base: { prototype: object },
  realOf: (self: never) => object,
): void {
  Object.setPrototypeOf(light.prototype, base.prototype);
  const realOfAny = realOf as (self: unknown) => object;
  for (const key of Reflect.ownKeys(base.prototype)) {
    if (key === "constructor" || key === Symbol.toStringTag || Object.hasOwn(light.prototype, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(base.prototype, key);
    if (typeof descriptor?.value === "function") {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(light.prototype, key, {
        value(this: unknown, ...args: unknown[]) {
          return method.apply(realOfAny(this), args);
        },
      });
    } else if (descriptor?.get !== undefined) {
      const getter = descriptor.get;
      Object.defineProperty(light.prototype, key, {
        get(this: unknown) {
          return getter.call(realOfAny(this));
        },
      });
    }
  }
}
