// Writes to process.stdout itself while loading and in a tool (as a log sink might): under
// `portico stdio` and `portico call` that must reach stderr only.
import { addTool, McpServer } from "@portico/core";

process.stdout.write("raw write while loading\n");

export const server = new McpServer({ name: "raw-stdout", version: "1.0.0" });
addTool(server, "who", { description: "Writes to stdout, then answers." }, () => {
  process.stdout.write("raw write in the tool\n");
  return "raw";
});
