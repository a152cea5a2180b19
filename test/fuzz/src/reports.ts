/**
 * What the handler and the adapter tell `onError` during a run (never sent to clients). The fuzz
 * server provokes some on purpose — the `explode` tool, the `notes://crash` reader — and refused
 * Hosts/Origins are logged as notices; anything else is an unexpected internal error, listed with
 * the run's summary.
 */

export interface Report {
  where: string;
  message: string;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}

export class Reports {
  readonly expected = new Map<string, number>();
  readonly unexpected: Report[] = [];

  /** For `createHandler`'s `onError`. */
  readonly core = (error: unknown, where: string): void => {
    const code = (error as { code?: unknown } | null)?.code;
    const message = messageOf(error);
    if (
      where === "tool explode" ||
      where === "host check" ||
      where === "configuration" ||
      (typeof code === "string" && code.endsWith("_not_allowed")) ||
      message.includes("/work/secret/internal.ts") ||
      // A legacy server→client request the harness left unanswered (reply mode drop/wrong-id) times out.
      (where.startsWith("tool ") && message.startsWith("TimeoutError"))
    ) {
      this.expected.set(where, (this.expected.get(where) ?? 0) + 1);
      return;
    }
    if (this.unexpected.length < 50) this.unexpected.push({ where, message });
  };

  /** For an adapter's `onError`. */
  readonly adapter = (error: unknown): void => {
    if (this.unexpected.length < 50) this.unexpected.push({ where: "adapter", message: messageOf(error) });
  };

  summary(): string {
    const expected = [...this.expected.entries()].map(([w, n]) => `${w}×${n}`).join(", ");
    const unexpected = this.unexpected.map((r) => `  ${r.where}: ${r.message}`).join("\n");
    return `onError: expected ${expected || "none"}; unexpected ${this.unexpected.length}${unexpected ? `\n${unexpected}` : ""}`;
  }
}
