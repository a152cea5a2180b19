/** Reading what a resource server answers: its Bearer challenges and scope strings. */

/** `Bearer a="1", b="2"` → `{ a: "1", b: "2" }` (the quoted parameters of one challenge). */
export function challengeParams(header: string | null): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [, name, value] of (header ?? "").matchAll(/([a-z_]+)="([^"]*)"/g)) {
    params[name as string] = value as string;
  }
  return params;
}

/** A space-separated scope string as a sorted list (empty for anything else). */
export function scopeSet(scope: unknown): string[] {
  return typeof scope === "string" ? scope.split(" ").filter(Boolean).sort() : [];
}

/** Where RFC 9728 puts the Protected Resource Metadata of an MCP endpoint (`/mcp` → path-suffixed). */
export function metadataUrlOf(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname === "/" ? "" : url.pathname}`;
}
