/** The README's first example, as written: its module converts the petstore document. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { McpHandler } from "@portico/core";
import { afterAll, describe, expect, it, vi } from "vitest";
import { request } from "./_mcp.ts";
import { petstoreText } from "./_specs.ts";

const README = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const example = /```ts\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
// Inside the package, so its imports resolve as a user's would.
const dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README example", () => {
  it("registers the petstore's tools, resources and templates, without the user operations", async () => {
    writeFileSync(join(dir, "petstore.json"), petstoreText());
    const file = join(dir, "server.ts");
    writeFileSync(file, example.replace('from "@portico/openapi"', 'from "../../src/index.ts"'));
    const logged: unknown[][] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logged.push(args));
    let handler: McpHandler;
    try {
      ({ default: handler } = (await import(file)) as { default: McpHandler });
    } finally {
      log.mockRestore();
    }
    const [tools, templates, skipped] = logged[0] as [string[], string[], unknown[]];
    expect(tools).toEqual([
      "addPet",
      "updatePet",
      "updatePetWithForm",
      "deletePet",
      "placeOrder",
      "deleteOrder",
    ]);
    expect(templates).toContain("https://petstore.example.com/v2/pet/{petId}");
    expect(skipped).toEqual([expect.objectContaining({ operation: "POST /pet/{petId}/uploadImage" })]);
    const listed = await request(handler, "resources/list");
    expect(listed.result.resources.map((r: { uri: string }) => r.uri)).toEqual([
      "https://petstore.example.com/v2/store/inventory",
    ]);
  });
});
