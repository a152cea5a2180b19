/**
 * A string body as `text()` of a real `Request` or `Response` gives it back: the platform encodes
 * it as UTF-8 (a lone surrogate becoming U+FFFD) and decodes it dropping one leading byte-order
 * mark (U+FEFF). So a JSON body that starts with one parses with `json()`, as it does there. The
 * buffered request and response read their text bodies with it, and so does the core when it takes
 * a buffered request's body whole.
 */
export function bodyText(body: string): string {
  const text = (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body) as string & WellFormable;
  // Most bodies are well formed: no copy for them.
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** ES2024 (Node 20, Bun, Deno, workerd); the type library this package compiles with is ES2023. */
interface WellFormable {
  isWellFormed(): boolean;
  toWellFormed(): string;
}
