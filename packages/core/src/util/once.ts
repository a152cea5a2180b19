/**
 * `onceEach(limit)`: a check that answers `true` the first time it sees a value and `false` after,
 * for at most `limit` distinct values (then `false` for everything: bounded memory, bounded noise).
 */
export function onceEach(limit: number): (value: string) => boolean {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value) || seen.size >= limit) return false;
    seen.add(value);
    return true;
  };
}
