/**
 * Where a mount's prefix goes in a resource URI or URI template: after the scheme's `://`, as the
 * first segment (`note://a` → `note://calc/a`); a URI without `://` gets `prefix+` in front
 * (`urn:x` → `calc+urn:x`).
 */

/** `uri` (or a URI template's text) with `prefix` in it. */
export function prefixUri(prefix: string, uri: string): string {
  const at = uri.indexOf("://");
  return at < 0 ? `${prefix}+${uri}` : `${uri.slice(0, at + 3)}${prefix}/${uri.slice(at + 3)}`;
}

/**
 * The child's URI a prefixed `uri` stands for; `authority` tells which form the prefix took (the
 * child's URI or template had a `://`). `undefined` when `uri` does not carry the prefix.
 */
export function unprefixUri(prefix: string, uri: string, authority: boolean): string | undefined {
  if (!authority) return uri.startsWith(`${prefix}+`) ? uri.slice(prefix.length + 1) : undefined;
  const at = uri.indexOf("://");
  if (at < 0 || !uri.startsWith(`${prefix}/`, at + 3)) return undefined;
  return `${uri.slice(0, at + 3)}${uri.slice(at + 4 + prefix.length)}`;
}
