/** The README's example, as written: the extension declared, the tool linked, the view read, the text per host. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { McpHandler } from "@portico/core";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { afterAll, describe, expect, it } from "vitest";

const README = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const example = /```ts\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
// Inside the package, so its imports resolve as a user's would.
const dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UI = { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } } };

describe("the README example", () => {
  it("serves the view and the tool as the README says", async () => {
    const file = join(dir, "server.ts");
    writeFileSync(file, example.replace('from "@portico/apps"', 'from "../../src/index.ts"'));
    const { default: handler } = (await import(file)) as { default: McpHandler };
    const send = async (method: string, params: Record<string, unknown>, clientCapabilities = UI) =>
      (
        await readJsonRpc(
          await handler.fetch(
            modernPost("http://127.0.0.1/mcp", method, params, { clientCapabilities }),
            {},
            {},
          ),
        )
      ).at(-1);

    const discover = await send("server/discover", {});
    expect(discover?.result.capabilities.extensions).toEqual({
      "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] },
    });
    const { tools } = (await send("tools/list", {}))?.result ?? {};
    expect(tools[0]._meta.ui).toEqual({ resourceUri: "ui://weather/today.html" });
    const read = await send("resources/read", { uri: "ui://weather/today.html" });
    expect(read?.result.contents[0]).toMatchObject({
      mimeType: "text/html;profile=mcp-app",
      _meta: { ui: { csp: { connectDomains: ["https://api.weather.example"] }, prefersBorder: true } },
    });
    expect(read?.result.contents[0].text).toContain("ui/initialize");
    const withUi = await send("tools/call", { name: "weather", arguments: { city: "Oslo" } });
    expect(withUi?.result).toMatchObject({
      content: [{ text: "Oslo: 21 °C" }],
      structuredContent: { celsius: 21 },
    });
    const textOnly = await send(
      "tools/call",
      { name: "weather", arguments: { city: "Oslo" } },
      {} as typeof UI,
    );
    expect(textOnly?.result.content[0].text).toBe("Oslo: 21 °C, sunny, light wind");
  });
});
