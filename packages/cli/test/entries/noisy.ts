// Prints with console.log while loading and in a tool: under `portico stdio` that must reach stderr only.
import { addTool, McpServer } from "@portico/core";

console.log("loading the noisy module");

export const server = new McpServer({ name: "noisy", version: "1.0.0" });
addTool(server, "who", { description: "Logs, then answers." }, () => {
  console.log("the noisy tool runs");
  return "noisy";
});
