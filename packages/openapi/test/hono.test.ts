/**
 * A Hono app in process: an OpenAPIHono app's own 3.1 document, and calls through `app.fetch`
 * (no network hop: nothing listens anywhere).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { fromOpenAPI } from "../src/index.ts";
import { callTool, handlerOf, listTools } from "./_mcp.ts";

const User = z.object({ id: z.string(), name: z.string(), admin: z.boolean() }).openapi("User");
const NewUser = z.object({ name: z.string().min(1), admin: z.boolean().optional() }).openapi("NewUser");

function usersApp() {
  const users = new Map([["1", { id: "1", name: "Ada", admin: true }]]);
  const seen: string[] = [];
  const app = new OpenAPIHono();
  app.use(async (c, next) => {
    seen.push(`${c.req.method} ${c.req.url} ${c.req.header("x-api-key") ?? "-"}`);
    await next();
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/users/{id}",
      operationId: "getUser",
      summary: "Get a user",
      request: { params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }) },
      responses: {
        200: { description: "The user", content: { "application/json": { schema: User } } },
        404: {
          description: "No such user",
          content: { "application/json": { schema: z.object({ error: z.string() }) } },
        },
      },
    }),
    (c) => {
      const user = users.get(c.req.valid("param").id);
      return user ? c.json(user, 200) : c.json({ error: "no such user" }, 404);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/users",
      operationId: "listUsers",
      request: { query: z.object({ limit: z.coerce.number().int().optional() }) },
      responses: {
        200: { description: "Users", content: { "application/json": { schema: z.array(User) } } },
      },
    }),
    (c) => c.json([...users.values()].slice(0, c.req.valid("query").limit ?? 10), 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/users",
      operationId: "createUser",
      request: { body: { required: true, content: { "application/json": { schema: NewUser } } } },
      responses: { 201: { description: "Created", content: { "application/json": { schema: User } } } },
    }),
    (c) => {
      const body = c.req.valid("json");
      const user = { id: String(users.size + 1), name: body.name, admin: body.admin ?? false };
      users.set(user.id, user);
      return c.json(user, 201);
    },
  );
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "Users", version: "1.0.0" } });
  return { app, doc, seen };
}

describe("a Hono app in process", () => {
  it("its document converts; calls reach the app through app.fetch", async () => {
    const { app, doc, seen } = usersApp();
    const server = new McpServer({ name: "users", version: "1.0.0" });
    const registration = await fromOpenAPI(server, doc as unknown as Record<string, unknown>, {
      fetch: (request) => app.fetch(request),
      baseUrl: "http://app.local",
      headers: { "x-api-key": "k1" },
      validateOutput: true,
    });
    expect(registration.tools).toEqual(["getUser", "listUsers", "createUser"]);
    const handler = handlerOf(server);
    const tools = await listTools(handler);
    expect(tools.find((t) => t.name === "createUser").inputSchema).toEqual({
      type: "object",
      properties: { name: { type: "string", minLength: 1 }, admin: { type: "boolean" } },
      required: ["name"],
    });
    expect(tools.find((t) => t.name === "listUsers").outputSchema.properties.result.type).toBe("array");

    const ada = await callTool(handler, "getUser", { id: "1" });
    expect(ada.structuredContent).toEqual({ id: "1", name: "Ada", admin: true });
    const created = await callTool(handler, "createUser", { name: "Bob" });
    expect(created.structuredContent).toEqual({ id: "2", name: "Bob", admin: false });
    const listed = await callTool(handler, "listUsers", { limit: 1 });
    expect(listed.structuredContent).toEqual({ result: [{ id: "1", name: "Ada", admin: true }] });
    const missing = await callTool(handler, "getUser", { id: "9" });
    expect(missing).toEqual({
      content: [{ type: "text", text: 'HTTP 404: {"error":"no such user"}' }],
      isError: true,
    });
    // The app's own validation still applies: an empty name is refused by the tool's schema first.
    expect((await callTool(handler, "createUser", { name: "" })).isError).toBe(true);
    expect(seen).toEqual([
      "GET http://app.local/users/1 k1",
      "POST http://app.local/users k1",
      "GET http://app.local/users?limit=1 k1",
      "GET http://app.local/users/9 k1",
    ]);
  });
});
