// Reads files beside it through import.meta (URL, dirname, filename, createRequire), and imports a
// local module in a subfolder that reports its own: the bundle in node_modules/.cache must not show.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { addTool, McpServer } from "@portico/core";
import { nested } from "./source-paths/nested.ts";

const require = createRequire(import.meta.url);
const greeting = readFileSync(new URL("./source-paths/greeting.txt", import.meta.url), "utf8").trim();

export const server = new McpServer({ name: "source-paths", version: "1.0.0" });
addTool(server, "paths", { description: "Reports the entry's paths and what it read with them." }, () =>
  JSON.stringify({
    url: import.meta.url,
    dirname: import.meta.dirname,
    filename: import.meta.filename,
    greeting,
    fromDirname: readFileSync(join(import.meta.dirname, "source-paths", "greeting.txt"), "utf8").trim(),
    required: require("./source-paths/data.json"),
    nested,
  }),
);
