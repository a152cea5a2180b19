/** The bench's `mcp-lite` app behind the Lambda adapter's event conversion (bundled by cold-start.ts). */
import { handle } from "@portico/adapter-lambda";
import { mcpLite } from "../apps/mcp-lite.ts";

export const handler = handle(mcpLite());
