/** One content block of a tool result, as text for a terminal. */
function blockText(block: Record<string, unknown>): string {
  switch (block.type) {
    case "text":
      return String(block.text ?? "");
    case "image":
    case "audio": {
      const size = typeof block.data === "string" ? Math.floor((block.data.length * 3) / 4) : 0;
      return `[${block.type} ${String(block.mimeType ?? "")}, ${size} bytes]`;
    }
    case "resource": {
      const resource = (block.resource ?? {}) as Record<string, unknown>;
      return typeof resource.text === "string" ? resource.text : `[resource ${String(resource.uri ?? "")}]`;
    }
    case "resource_link":
      return `[resource link ${String(block.uri ?? "")}]`;
    default:
      return `[${String(block.type)} content]`;
  }
}

/**
 * A tool result for a terminal: its content blocks' text, one after another; the structured
 * content as JSON when there is no content.
 */
export function resultText(result: Record<string, unknown>): string {
  const content = Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [];
  if (content.length === 0 && result.structuredContent !== undefined)
    return JSON.stringify(result.structuredContent, null, 2);
  return content.map(blockText).join("\n");
}
