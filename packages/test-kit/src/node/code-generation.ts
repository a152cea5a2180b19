/**
 * Whether a server bundle generates code from strings (`eval`, the `Function` constructor), which
 * Workers refuse at run time and a strict CSP forbids. HTML documents the bundle carries as strings
 * (an MCP App's view, which browsers run in a host's sandboxed iframe, never the server) are left
 * out: their scripts are not the server's code.
 */

/** `eval(…)`, `new Function(…)` or `Function(…)` as a call, not as part of a longer name or a property. */
export const CODE_GENERATION = /(?<![\w$.])(?:eval|Function)\s*\(|\bnew\s+Function\b/;

const HTML_DOCUMENT = /<!doctype html>[\s\S]*?<\/html>/gi;

/** `code` without the HTML documents it embeds (`<!doctype html>` … `</html>`). */
export function withoutEmbeddedHtml(code: string): string {
  return code.replace(HTML_DOCUMENT, "");
}

/** Whether the bundle's own code (embedded HTML documents left out) calls `eval` or `Function`. */
export function generatesCode(code: string): boolean {
  return CODE_GENERATION.test(withoutEmbeddedHtml(code));
}
