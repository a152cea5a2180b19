/**
 * Route maps on the petstore document: GET_AS_RESOURCES (resources and templates that call the
 * API when read), exclusion by tag and by path glob, the first match winning, misconfigurations,
 * names, and `remove()`.
 */
import { McpServer, PorticoError } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI, GET_AS_RESOURCES, type OpenApiOptions } from "../src/index.ts";
import { handlerOf, listTools, request } from "./_mcp.ts";
import { type PetstoreApi, startPetstore } from "./_petstore-api.ts";
import { petstore } from "./_specs.ts";

let api: PetstoreApi;
beforeAll(async () => {
  api = await startPetstore();
});
afterAll(() => api.close());

async function convert(options: OpenApiOptions) {
  const server = new McpServer({ name: "petstore", version: "1.0.0" });
  const registration = await fromOpenAPI(server, petstore(), { baseUrl: api.base, ...options });
  return { server, registration, handler: handlerOf(server) };
}

describe("GET_AS_RESOURCES", () => {
  it("GETs without parameters to fill are resources, the others templates, the rest tools", async () => {
    const { registration, handler } = await convert({ routes: GET_AS_RESOURCES });
    const b = api.base;
    expect(registration.resources).toEqual([`${b}/store/inventory`, `${b}/user/logout`]);
    expect(registration.templates).toEqual([
      `${b}/pet/findByStatus{?status*}`,
      `${b}/pet/findByTags{?tags*}`,
      `${b}/pet/{petId}`,
      `${b}/store/order/{orderId}`,
      `${b}/user/login{?username,password}`,
      `${b}/user/{username}`,
    ]);
    expect(registration.tools).toEqual([
      "addPet",
      "updatePet",
      "updatePetWithForm",
      "deletePet",
      "placeOrder",
      "deleteOrder",
      "createUser",
      "createUsersWithArrayInput",
      "createUsersWithListInput",
      "updateUser",
      "deleteUser",
    ]);
    const listed = await request(handler, "resources/list");
    expect(listed.result.resources[0]).toEqual({
      uri: `${b}/store/inventory`,
      name: "getInventory",
      title: "Returns pet inventories by status",
      description: "Returns a map of status codes to quantities",
      mimeType: "application/json",
    });
    const templates = await request(handler, "resources/templates/list");
    expect(templates.result.resourceTemplates[2]).toEqual({
      uriTemplate: `${b}/pet/{petId}`,
      name: "getPetById",
      title: "Find pet by ID",
      description: "Returns a single pet",
      mimeType: "application/json",
    });
  });

  it("reading a template resource calls the route with its variables", async () => {
    const { handler } = await convert({ routes: GET_AS_RESOURCES });
    const uri = `${api.base}/pet/2`;
    const read = await request(handler, "resources/read", { uri });
    expect(read.result.contents).toEqual([
      {
        uri,
        mimeType: "application/json",
        text: JSON.stringify({
          id: 2,
          name: "Tom",
          photoUrls: ["https://example.com/tom.png"],
          status: "sold",
        }),
      },
    ]);
    expect(api.last().url).toBe("/v2/pet/2");

    const query = `${api.base}/pet/findByStatus?status=sold&status=available`;
    const found = await request(handler, "resources/read", { uri: query });
    expect(JSON.parse(found.result.contents[0].text).map((p: { id: number }) => p.id)).toEqual([1, 2]);
    expect(api.last().url).toBe("/v2/pet/findByStatus?status=sold&status=available");

    const fixed = await request(handler, "resources/read", { uri: `${api.base}/store/inventory` });
    expect(JSON.parse(fixed.result.contents[0].text)).toEqual({ available: 1, sold: 1 });
  });

  it("an upstream 404 is 'resource not found'", async () => {
    const { handler } = await convert({ routes: GET_AS_RESOURCES });
    const read = await request(handler, "resources/read", { uri: `${api.base}/pet/404` });
    expect(read.error?.code).toBe(-32602);
    expect(read.error?.message).toMatch(
      /^Resource not found: http:\/\/127\.0\.0\.1:\d+\/v2\/pet\/404 \(HTTP 404/,
    );
  });

  it("template variables with an enum complete", async () => {
    const { handler } = await convert({ routes: GET_AS_RESOURCES });
    const answer = await request(handler, "completion/complete", {
      ref: { type: "ref/resource", uri: `${api.base}/pet/findByStatus{?status*}` },
      argument: { name: "status", value: "s" },
    });
    expect(answer.result.completion.values).toEqual(["sold"]);
  });
});

describe("route maps", () => {
  it("exclude by tag", async () => {
    const { registration } = await convert({ routes: [{ tags: ["store"], as: "exclude" }] });
    expect(registration.tools).not.toContain("getInventory");
    expect(registration.tools).not.toContain("placeOrder");
    expect(registration.tools.length).toBe(19 - 4);
    // Excluded on purpose is not "skipped".
    expect(registration.skipped.map((s) => s.operation)).toEqual(["POST /pet/{petId}/uploadImage"]);
  });

  it("exclude by path glob: `*` spans segments, the glob matches the whole path", async () => {
    const { registration } = await convert({ routes: [{ path: "/user/*", as: "exclude" }] });
    expect(registration.tools.filter((t) => /User|login|logout/i.test(t))).toEqual(["createUser"]);
    const { registration: pets } = await convert({
      routes: [{ path: "/pet/*", methods: "*", as: "exclude" }],
    });
    expect(pets.tools).toContain("addPet");
    expect(pets.tools).not.toContain("getPetById");
  });

  it("a RegExp path, operationIds and methods; the first match wins", async () => {
    const { registration } = await convert({
      routes: [
        { operationIds: ["getPetById"], as: "tool" },
        { path: /^\/pet\//, methods: ["get"], as: "template" },
        { methods: ["DELETE"], as: "exclude" },
      ],
    });
    expect(registration.tools).toContain("getPetById");
    expect(registration.tools).not.toContain("deletePet");
    expect(registration.templates.map((t) => t.slice(api.base.length))).toEqual([
      "/pet/findByStatus{?status*}",
      "/pet/findByTags{?tags*}",
    ]);
  });

  it("a non-GET operation mapped to a resource, or a GET with a path parameter, is a clear error", async () => {
    const post = convert({ routes: [{ methods: ["POST"], as: "resource" }] });
    await expect(post).rejects.toThrow(PorticoError);
    await expect(post).rejects.toThrow(
      "POST /pet is mapped to a resource, but only GET operations can be resources or templates",
    );
    await expect(convert({ routes: [{ path: "/pet/{petId}", as: "resource" }] })).rejects.toMatchObject({
      code: "invalid_route",
      message:
        "GET /pet/{petId} is mapped to a resource, but its path parameter petId is required: map it as a template",
    });
    await expect(convert({ routes: [{ as: "everything" as "tool" }] })).rejects.toMatchObject({
      code: "invalid_options",
    });
  });

  it("names: a function overrides, duplicates get _2, _3; no operationId gives <method>_<path>", async () => {
    const { registration } = await convert({
      name: (op) => (op.tags.includes("store") ? "store" : undefined),
    });
    expect(registration.tools.filter((t) => t.startsWith("store"))).toEqual([
      "store",
      "store_2",
      "store_3",
      "store_4",
    ]);
    const doc = petstore();
    delete doc.paths["/pet/{petId}"].get.operationId;
    doc.paths["/pet/{petId}"].post.operationId = "update pet (form)!";
    const server = new McpServer({ name: "petstore", version: "1.0.0" });
    const named = await fromOpenAPI(server, doc, { baseUrl: api.base });
    expect(named.tools).toContain("get_pet_petId");
    expect(named.tools).toContain("update_pet_form");
  });

  it("a name the server already has is not reused", async () => {
    const server = new McpServer({ name: "petstore", version: "1.0.0" });
    await fromOpenAPI(server, petstore(), {
      baseUrl: api.base,
      routes: [{ operationIds: ["addPet"], as: "tool" }, { as: "exclude" }],
    });
    const again = await fromOpenAPI(server, petstore(), {
      baseUrl: api.base,
      routes: [{ operationIds: ["addPet"], as: "tool" }, { as: "exclude" }],
    });
    expect(again.tools).toEqual(["addPet_2"]);
  });

  it("remove() unregisters every tool, resource and template it added", async () => {
    const { server, registration, handler } = await convert({ routes: GET_AS_RESOURCES });
    expect((await listTools(handler)).length).toBe(11);
    registration.remove();
    expect(server.registry("tools").size).toBe(0);
    expect(server.registry("resources").size).toBe(0);
    expect(server.registry("templates").size).toBe(0);
  });

  it("a registration that fails undoes the others", async () => {
    const server = new McpServer({ name: "petstore", version: "1.0.0" });
    await fromOpenAPI(server, petstore(), { baseUrl: api.base, routes: GET_AS_RESOURCES });
    const toolsBefore = server.registry("tools").size;
    // The same resource URIs again: the first duplicate fails and nothing of this call stays.
    await expect(
      fromOpenAPI(server, petstore(), {
        baseUrl: api.base,
        routes: [{ methods: ["GET"], operationIds: ["getInventory"], as: "resource" }],
      }),
    ).rejects.toMatchObject({ code: "duplicate" });
    expect(server.registry("tools").size).toBe(toolsBefore);
  });
});
