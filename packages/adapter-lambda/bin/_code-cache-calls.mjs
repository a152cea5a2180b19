// The --call tool calls of portico-lambda-cache's warm-up: their arguments from the command line,
// the 2026-07-28 headers they need, and whether the answer was a result.

/**
 * `name` or `name=<JSON object>` (the tool's arguments; `{}` when there is no `=`), or the reason it
 * cannot be one.
 */
export function parseCall(text) {
  const eq = text.indexOf("=");
  const name = eq === -1 ? text : text.slice(0, eq);
  if (name === "") return { error: `--call ${JSON.stringify(text)} names no tool: --call 'add={"a":1}'` };
  if (eq === -1) return { call: { name, arguments: {} } };
  let args;
  try {
    args = JSON.parse(text.slice(eq + 1));
  } catch (error) {
    return { error: `--call ${name}: its arguments are not JSON (${error.message})` };
  }
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    return { error: `--call ${name}: its arguments must be a JSON object` };
  }
  return { call: { name, arguments: args } };
}

/** A header value as 2026-07-28 sends it: as is when printable ASCII, else `=?base64?…?=`. */
export function headerValue(text) {
  return /^[\x20-\x7e]*$/.test(text) && text.trim() === text
    ? text
    : `=?base64?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

/**
 * The `Mcp-Param-*` headers a call of a tool with this input schema must send: one per
 * `x-mcp-header` property (nested objects included) whose argument is a string, number or boolean.
 */
export function paramHeaders(schema, args, headers = {}) {
  const props = schema?.properties;
  if (typeof props !== "object" || props === null) return headers;
  for (const [key, prop] of Object.entries(props)) {
    if (typeof prop !== "object" || prop === null) continue;
    const value = args !== null && typeof args === "object" ? args[key] : undefined;
    const header = prop["x-mcp-header"];
    if (typeof header === "string" && ["string", "number", "boolean"].includes(typeof value)) {
      headers[`mcp-param-${header.toLowerCase()}`] = headerValue(String(value));
    }
    paramHeaders(prop, value, headers);
  }
  return headers;
}

/** The JSON-RPC answer to `id` in a response body: JSON, or an SSE stream's `data:` lines. */
export function rpcAnswer(text, id) {
  const messages = [];
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      messages.push(...[JSON.parse(trimmed)].flat());
    } catch {}
  } else {
    for (const line of text.split(/\r?\n/)) {
      if (!line.startsWith("data:")) continue;
      try {
        messages.push(JSON.parse(line.slice(5)));
      } catch {}
    }
  }
  return messages.find((m) => m?.id === id && (m.result !== undefined || m.error !== undefined));
}

/** What a --call was answered with when it is not a plain result (undefined when it is). */
export function whyFailed(answer, status) {
  if (answer === undefined) return `HTTP ${status} and no JSON-RPC answer`;
  if (answer.error !== undefined) return `error ${answer.error.code}: ${answer.error.message}`;
  const result = answer.result;
  if (result?.resultType === "input_required") return "input_required (the tool asked for input)";
  if (result?.isError === true) {
    const text = result.content?.find((c) => c?.type === "text")?.text;
    return `a tool error${typeof text === "string" ? `: ${text.slice(0, 300)}` : ""}`;
  }
  return undefined;
}
