/** Whether `value` can be written as JSON text: no BigInt, no cycle, not nested deeper than `JSON.stringify` goes. */
export function writableJson(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
