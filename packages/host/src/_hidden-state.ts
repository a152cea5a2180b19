/** Finds the private state a buffered request or response keeps under `key` (`undefined` elsewhere). */
export function stateUnder<S>(key: symbol): (value: unknown) => S | undefined {
  return (value) =>
    typeof value === "object" && value !== null && key in value
      ? (value as Record<symbol, S>)[key]
      : undefined;
}
