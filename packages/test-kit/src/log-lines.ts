/**
 * The JSON log lines (one object per line, as `@portico/observe` writes them) in a process's
 * output, whatever else the output holds: a host's own lines, a prefix before the JSON on the same
 * line (a timestamp, a tab-separated request id), blank lines. A line that only looks like JSON
 * is skipped.
 */
export function jsonLogLines(output: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of output.split("\n")) {
    const start = line.indexOf("{");
    if (start < 0) continue;
    try {
      const value: unknown = JSON.parse(line.slice(start));
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        records.push(value as Record<string, unknown>);
      }
    } catch {
      // Not a JSON line.
    }
  }
  return records;
}

/** The `mcp request` line (at any level) whose `hostRequestId` is `id`, if `output` has one. */
export function requestLine(output: string, id: string): Record<string, unknown> | undefined {
  return jsonLogLines(output).find((line) => line.msg === "mcp request" && line.hostRequestId === id);
}
