/**
 * A string body as `text()` of a real `Request` or `Response` gives it back: the platform encodes
 * it as UTF-8 (a lone surrogate becoming U+FFFD) and decodes it dropping one leading byte-order
 * mark (U+FEFF). So a JSON body that starts with one parses with `json()`, as it does there.
 */
export function bodyText(body: string): string {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  // ES2024 (Node 20, Bun, Deno, workerd); the type library this package compiles with is ES2023.
  return (text as unknown as { toWellFormed(): string }).toWellFormed();
}
