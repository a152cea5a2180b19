/**
 * The petstore 3.0 document: its tools and their schemas, then calls to a real local HTTP server
 * (parameters, bodies, results, errors, the time limit, credentials, the size limit).
 */
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI, type OpenApiOptions, type OpenApiRegistration } from "../src/index.ts";
import { callTool, handlerOf, listTools } from "./_mcp.ts";
import { type PetstoreApi, startPetstore } from "./_petstore-api.ts";
import { petstore } from "./_specs.ts";

let api: PetstoreApi;
beforeAll(async () => {
  api = await startPetstore();
});
afterAll(() => api.close());

async function petstoreServer(options: OpenApiOptions = {}) {
  const server = new McpServer({ name: "petstore", version: "1.0.0" });
  const registration = await fromOpenAPI(server, petstore(), { baseUrl: api.base, ...options });
  return { server, registration, handler: handlerOf(server) };
}

describe("petstore: conversion", () => {
  let registration: OpenApiRegistration;
  let tools: any[];
  beforeAll(async () => {
    const made = await petstoreServer();
    registration = made.registration;
    tools = await listTools(made.handler);
  });

  it("makes every operation a tool, named by operationId, and lists the multipart one as skipped", () => {
    expect(registration.tools).toEqual([
      "addPet",
      "updatePet",
      "findPetsByStatus",
      "findPetsByTags",
      "getPetById",
      "updatePetWithForm",
      "deletePet",
      "getInventory",
      "placeOrder",
      "getOrderById",
      "deleteOrder",
      "createUser",
      "createUsersWithArrayInput",
      "createUsersWithListInput",
      "loginUser",
      "logoutUser",
      "getUserByName",
      "updateUser",
      "deleteUser",
    ]);
    expect(tools.map((t) => t.name)).toEqual(registration.tools);
    expect(registration.skipped).toEqual([
      {
        operation: "POST /pet/{petId}/uploadImage",
        reason: "request body media type multipart/form-data is not supported (JSON and form only)",
      },
    ]);
    expect(registration.resources).toEqual([]);
    expect(registration.templates).toEqual([]);
  });

  const tool = (name: string) => tools.find((t) => t.name === name);

  it("getPetById: the path parameter, title, description and read-only hints", () => {
    expect(tool("getPetById")).toEqual({
      name: "getPetById",
      title: "Find pet by ID",
      description: "Returns a single pet",
      inputSchema: {
        type: "object",
        properties: { petId: { type: "integer", format: "int64", description: "ID of pet to return" } },
        required: ["petId"],
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    });
  });

  it("addPet: the JSON body's properties at the top level, readOnly id left out, examples from example, xml dropped", () => {
    const item = {
      type: "object",
      properties: { id: { type: "integer", format: "int64" }, name: { type: "string" } },
    };
    expect(tool("addPet").inputSchema).toEqual({
      type: "object",
      properties: {
        category: item,
        name: { type: "string", examples: ["doggie"] },
        photoUrls: { type: "array", items: { type: "string", examples: ["https://example.com/photo.png"] } },
        tags: { type: "array", items: item },
        status: {
          type: "string",
          description: "pet status in the store",
          enum: ["available", "pending", "sold"],
        },
      },
      required: ["name", "photoUrls"],
    });
    expect(tool("addPet").annotations).toEqual({ openWorldHint: true });
    expect(tool("updatePet").annotations).toEqual({ idempotentHint: true, openWorldHint: true });
  });

  it("deletePet: header and path parameters; destructive", () => {
    expect(tool("deletePet").inputSchema).toEqual({
      type: "object",
      properties: {
        petId: { type: "integer", format: "int64", description: "Pet id to delete" },
        api_key: { type: "string" },
      },
      required: ["petId"],
    });
    expect(tool("deletePet").annotations).toEqual({
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: true,
    });
  });

  it("an array body is one required `body` argument; a form body is merged", () => {
    expect(tool("createUsersWithArrayInput").inputSchema.required).toEqual(["body"]);
    expect(tool("createUsersWithArrayInput").inputSchema.properties.body.type).toBe("array");
    expect(Object.keys(tool("updatePetWithForm").inputSchema.properties)).toEqual([
      "petId",
      "name",
      "status",
    ]);
  });

  it("declares no output schema by default", () => {
    expect(tools.some((t) => t.outputSchema !== undefined)).toBe(false);
  });
});

describe("petstore: calls to a real HTTP server", () => {
  it("a path parameter: GET /pet/1 answers the pet as structuredContent and as text", async () => {
    const { handler } = await petstoreServer();
    const result = await callTool(handler, "getPetById", { petId: 1 });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual({ id: 1, name: "Rex", photoUrls: [], status: "available" });
    expect(JSON.parse(result.content[0]?.text ?? "")).toEqual(result.structuredContent);
    expect(api.last().method).toBe("GET");
    expect(api.last().url).toBe("/v2/pet/1");
    expect(api.last().headers.accept).toBe("application/json");
  });

  it("a query array is repeated (form, explode) and an array answer is wrapped as { result }", async () => {
    const { handler } = await petstoreServer();
    const result = await callTool(handler, "findPetsByStatus", { status: ["available", "sold"] });
    expect(api.last().url).toBe("/v2/pet/findByStatus?status=available&status=sold");
    expect(result.structuredContent.result.map((p: { name: string }) => p.name)).toEqual(["Rex", "Tom"]);
  });

  it("path values are percent-encoded; a string answer is wrapped", async () => {
    const { handler } = await petstoreServer();
    await callTool(handler, "getUserByName", { username: "a/b c?" });
    expect(api.last().url).toBe("/v2/user/a%2Fb%20c%3F");
    const login = await callTool(handler, "loginUser", { username: "ann & co", password: "p=1" });
    expect(api.last().url).toBe("/v2/user/login?username=ann%20%26%20co&password=p%3D1");
    expect(login.structuredContent).toEqual({ result: "logged in as ann & co" });
  });

  it("a header parameter is a header; a 204 answer is 'No content'", async () => {
    const { handler } = await petstoreServer();
    const result = await callTool(handler, "deletePet", { petId: 2, api_key: "key-1" });
    expect(api.last().method).toBe("DELETE");
    expect(api.last().headers.api_key).toBe("key-1");
    expect(result).toEqual({ content: [{ type: "text", text: "No content" }] });
  });

  it("a JSON body is sent as application/json", async () => {
    const { handler } = await petstoreServer();
    const pet = { name: "Kit", photoUrls: ["u"], tags: [{ id: 1, name: "cat" }] };
    const result = await callTool(handler, "addPet", pet);
    expect(api.last().method).toBe("POST");
    expect(api.last().headers["content-type"]).toBe("application/json");
    expect(JSON.parse(api.last().body)).toEqual(pet);
    expect(result.structuredContent).toEqual({ id: 99, ...pet });
  });

  it("a form body is sent url-encoded next to the path parameter; a text answer is text", async () => {
    const { handler } = await petstoreServer();
    const result = await callTool(handler, "updatePetWithForm", {
      petId: 5,
      name: "Max & Co",
      status: "sold",
    });
    expect(api.last().headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(api.last().body).toBe("name=Max+%26+Co&status=sold");
    expect(result).toEqual({
      content: [{ type: "text", text: "updated 5 with name=Max+%26+Co&status=sold" }],
    });
  });

  it("arguments are checked against the input schema before any request", async () => {
    const { handler } = await petstoreServer();
    const before = api.received.length;
    const result = await callTool(handler, "getPetById", { petId: "one" });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^Invalid arguments for tool getPetById: \/petId/);
    expect(api.received.length).toBe(before);
  });

  it("404 is an error result with the status and a clean excerpt of at most 500 characters", async () => {
    const { handler } = await petstoreServer();
    const result = await callTool(handler, "getPetById", { petId: 404 });
    expect(result.isError).toBe(true);
    const text = result.content[0]?.text ?? "";
    expect(text.startsWith('HTTP 404 Not Found: {"message":"Pet not found')).toBe(true);
    expect([...text].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
    expect(text.length).toBeLessThanOrEqual("HTTP 404 Not Found: ".length + 500);
  });

  it("a slow answer past timeoutMs is an error result saying so", async () => {
    const { handler } = await petstoreServer({ timeoutMs: 200 });
    const started = Date.now();
    const result = await callTool(handler, "logoutUser", {});
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(result).toEqual({
      content: [{ type: "text", text: "GET /user/logout timed out after 200 ms" }],
      isError: true,
    });
  });

  it('auth "forward" sends the caller\'s bearer token, and nothing for an anonymous caller', async () => {
    const { handler } = await petstoreServer({ auth: "forward" });
    await callTool(handler, "getInventory", {}, { token: "caller-token", clientId: "c", scopes: [] });
    expect(api.last().headers.authorization).toBe("Bearer caller-token");
    await callTool(handler, "getInventory", {});
    expect(api.last().headers.authorization).toBeUndefined();
  });

  it("a static auth header and static headers go with every call; auth wins over a header of the same name", async () => {
    const { handler } = await petstoreServer({
      auth: { header: "api_key", value: "special-key" },
      headers: { "user-agent": "portico-openapi-test", api_key: "overridden" },
    });
    await callTool(handler, "getInventory", {});
    expect(api.last().headers.api_key).toBe("special-key");
    expect(api.last().headers["user-agent"]).toBe("portico-openapi-test");
  });

  it("auth as a function of the request context", async () => {
    const { handler } = await petstoreServer({ auth: (ctx) => ({ "x-era": ctx.era }) });
    await callTool(handler, "getInventory", {});
    expect(api.last().headers["x-era"]).toBe("modern");
  });

  it("a body over maxResponseBytes is an error result", async () => {
    const { handler } = await petstoreServer({ maxResponseBytes: 1_000 });
    const result = await callTool(handler, "getUserByName", { username: "big" });
    expect(result).toEqual({
      content: [
        {
          type: "text",
          text: "The response of GET /user/{username} is larger than 1000 bytes, the most this server reads",
        },
      ],
      isError: true,
    });
  });

  it("an unreachable API is an error result without internals", async () => {
    const server = new McpServer({ name: "petstore", version: "1.0.0" });
    await fromOpenAPI(server, petstore(), { baseUrl: "http://127.0.0.1:1/v2" });
    const result = await callTool(handlerOf(server), "getInventory", {});
    expect(result).toEqual({
      content: [{ type: "text", text: "GET /store/inventory failed: the API could not be reached" }],
      isError: true,
    });
  });
});

describe("petstore: validateOutput", () => {
  it("declares the output schemas (wrapped for arrays) and checks results: a mismatch is an error result", async () => {
    const { handler } = await petstoreServer({ validateOutput: true });
    const tools = await listTools(handler);
    const byName = (name: string) => tools.find((t) => t.name === name);
    expect(byName("getPetById").outputSchema.required).toEqual(["name", "photoUrls"]);
    expect(byName("getPetById").outputSchema.properties.id).toEqual({
      type: "integer",
      format: "int64",
      readOnly: true,
      default: 40,
      examples: [25],
    });
    expect(byName("findPetsByStatus").outputSchema.required).toEqual(["result"]);
    expect(byName("findPetsByStatus").outputSchema.properties.result.type).toBe("array");
    expect(byName("addPet").outputSchema).toBeUndefined();

    expect((await callTool(handler, "getPetById", { petId: 2 })).structuredContent.name).toBe("Tom");
    expect((await callTool(handler, "findPetsByStatus", { status: ["sold"] })).structuredContent).toEqual({
      result: [{ id: 2, name: "Tom", photoUrls: ["https://example.com/tom.png"], status: "sold" }],
    });
    // updatePet declares no 2xx JSON answer, so no check: the bad answer passes.
    expect((await callTool(handler, "updatePet", { name: "x", photoUrls: [] })).structuredContent).toEqual({
      name: 42,
    });
  });

  it("without validateOutput a result that contradicts the document is passed on", async () => {
    const doc = petstore();
    doc.paths["/pet"].put.responses["200"] = {
      description: "ok",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
    };
    for (const validateOutput of [false, true]) {
      const server = new McpServer({ name: "petstore", version: "1.0.0" });
      await fromOpenAPI(server, doc, { baseUrl: api.base, validateOutput });
      const result = await callTool(handlerOf(server), "updatePet", { name: "x", photoUrls: [] });
      if (validateOutput) {
        expect(result).toEqual({
          content: [
            {
              type: "text",
              text: "Tool updatePet returned structured content that does not match its output schema",
            },
          ],
          isError: true,
        });
      } else expect(result.structuredContent).toEqual({ name: 42 });
    }
  });
});
