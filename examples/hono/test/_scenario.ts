/**
 * What every runtime entry must do, driven from outside: the REST API answers, and its MCP face —
 * through the real SDK clients of both eras — lists the API's operations as tools and calls them
 * against the same app (a book added through MCP is there for REST, and the other way round).
 */
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect } from "vitest";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export async function booksScenario(base: URL, fetchImpl: Fetch = fetch): Promise<void> {
  const rest = async (path: string, init?: RequestInit) => {
    const response = await fetchImpl(new URL(path, base), init);
    return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
  };
  const shelf = await rest("/books");
  expect(shelf.status).toBe(200);
  expect(shelf.body).toContainEqual({ id: "b1", title: "Dune", author: "Frank Herbert", year: 1965 });

  const endpoint = new URL("/mcp", base);
  const modern = new ClientV2(
    { name: "books-v2", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await modern.connect(new TransportV2(endpoint, { fetch: fetchImpl }));
  const legacy = new ClientV1({ name: "books-v1", version: "1.0.0" });
  await legacy.connect(new TransportV1(endpoint, { fetch: fetchImpl }));
  try {
    const { tools } = await modern.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["addBook", "getBook", "listBooks", "removeBook"]);
    const add = tools.find((t) => t.name === "addBook");
    expect(add?.inputSchema.required).toEqual(["title", "author"]);
    expect(tools.find((t) => t.name === "removeBook")?.annotations?.destructiveHint).toBe(true);

    // Added through MCP (modern era), seen by REST.
    const added = await modern.callTool({
      name: "addBook",
      arguments: { title: "Solaris", author: "Stanisław Lem" },
    });
    const id = (added.structuredContent as { id: string }).id;
    expect(added.structuredContent).toEqual({ id, title: "Solaris", author: "Stanisław Lem" });
    expect((await rest(`/books/${id}`)).body).toMatchObject({ title: "Solaris" });

    // Added through REST, found through MCP (legacy era), filtered by a query parameter.
    await rest("/books", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Hyperion", author: "Dan Simmons", year: 1989 }),
    });
    const listed = await legacy.callTool({ name: "listBooks", arguments: { author: "Dan Simmons" } });
    const found = (listed.structuredContent as { result: { author: string; title: string }[] }).result;
    expect(found).toContainEqual(expect.objectContaining({ title: "Hyperion", year: 1989 }));
    expect(found.every((book) => book.author === "Dan Simmons")).toBe(true);

    // A removed book: 204 through MCP, then a 404 as a tool error with the API's own message.
    expect((await modern.callTool({ name: "removeBook", arguments: { id } })).isError).toBeFalsy();
    const gone = await modern.callTool({ name: "getBook", arguments: { id } });
    expect(gone.isError).toBe(true);
    expect((gone.content as { text: string }[])[0]?.text).toMatch(/^HTTP 404\b.*no such book/);
    expect((await rest(`/books/${id}`)).status).toBe(404);
  } finally {
    await modern.close();
    await legacy.close();
  }
}
