/**
 * A checker of CloudWatch Embedded Metric Format documents, from the format's specification: the
 * `_aws` metadata (`Timestamp` in epoch ms, `CloudWatchMetrics` directives with a `Namespace`,
 * dimension sets of at most 30 keys that name string members, at most 100 metric definitions with
 * CloudWatch units), and every metric's member a number or an array of at most 100 numbers. A
 * dimension's value is a CloudWatch dimension value: 1 to 1024 ASCII characters, no control
 * characters, at least one that is not whitespace (CloudWatch API reference, `Dimension`).
 */
const UNITS = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

/** The problems of one document (empty when it is valid). */
export function emfProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (typeof aws !== "object" || aws === null) return ["no _aws object"];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 1e12)
    problems.push("Timestamp is not epoch ms");
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) {
    return [...problems, "CloudWatchMetrics is not a non-empty array"];
  }
  for (const directive of aws.CloudWatchMetrics as Record<string, unknown>[]) {
    const ns = directive.Namespace;
    if (typeof ns !== "string" || ns.length < 1 || ns.length > 1024) problems.push("bad Namespace");
    const sets = directive.Dimensions;
    if (!Array.isArray(sets)) problems.push("Dimensions is not an array");
    else
      for (const set of sets) {
        if (!Array.isArray(set) || set.length > 30)
          problems.push("a dimension set is not an array of ≤ 30 keys");
        else
          for (const key of set) {
            const value = doc[key];
            if (typeof value !== "string") problems.push(`dimension ${key} names no string member`);
            else if (value.length > 1024 || !/^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/.test(value))
              problems.push(`dimension ${key} is not a valid dimension value`);
          }
      }
    const metrics = directive.Metrics;
    if (!Array.isArray(metrics) || metrics.length > 100) {
      problems.push("Metrics is not an array of ≤ 100 definitions");
      continue;
    }
    for (const m of metrics as { Name?: unknown; Unit?: unknown }[]) {
      if (typeof m.Name !== "string" || m.Name.length === 0) problems.push("a metric has no Name");
      if (m.Unit !== undefined && !UNITS.has(m.Unit as string)) problems.push(`bad Unit ${String(m.Unit)}`);
      const value = doc[m.Name as string];
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.length > 100)
        problems.push(`${String(m.Name)} has ${values.length} values`);
      if (!values.every((v) => typeof v === "number" && Number.isFinite(v))) {
        problems.push(`${String(m.Name)} is not a number or an array of numbers`);
      }
    }
  }
  return problems;
}
