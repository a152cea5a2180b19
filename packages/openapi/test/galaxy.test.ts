/**
 * Scalar Galaxy, a real OpenAPI 3.1.1 document: JSON and YAML give the same tools, `$ref`s are
 * resolved (cyclic ones kept as `$defs`), a `oneOf` body and a `$dynamicRef` page survive.
 */
import { McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { fromOpenAPI, type OpenApiOptions } from "../src/index.ts";
import { callTool, handlerOf, listTools } from "./_mcp.ts";
import { galaxyJson, galaxyYaml } from "./_specs.ts";

/** A fetch that records requests and answers a planet. */
function recordingFetch() {
  const requests: { method: string; url: string; body: string }[] = [];
  const fetch = async (request: Request) => {
    requests.push({ method: request.method, url: request.url, body: await request.text() });
    return Response.json({ id: 1, name: "Mars", type: "terrestrial" });
  };
  return { requests, fetch };
}

async function galaxy(text: string, options: OpenApiOptions = {}) {
  const server = new McpServer({ name: "galaxy", version: "1.0.0" });
  const registration = await fromOpenAPI(server, text, options);
  const handler = handlerOf(server);
  return { registration, handler, tools: await listTools(handler) };
}

describe("Scalar Galaxy (OpenAPI 3.1)", () => {
  it("the JSON document and the YAML text give the same tools", async () => {
    const fromJson = await galaxy(galaxyJson(), { validateOutput: true });
    const fromYaml = await galaxy(galaxyYaml(), { validateOutput: true });
    expect(fromJson.registration.tools).toEqual([
      "getAllData",
      "createPlanet",
      "getPlanet",
      "updatePlanet",
      "deletePlanet",
      "createCelestialBody",
      "createUser",
      "getToken",
      "getMe",
    ]);
    expect(fromJson.registration.skipped).toEqual([
      {
        operation: "POST /planets/{planetId}/image",
        reason: "request body media type multipart/form-data is not supported (JSON and form only)",
      },
    ]);
    expect(fromYaml.tools).toEqual(fromJson.tools);
    expect(fromYaml.registration.tools).toEqual(fromJson.registration.tools);
  });

  it("resolves every $ref: none points into the document any more", async () => {
    const { tools } = await galaxy(galaxyJson(), { validateOutput: true });
    const text = JSON.stringify(tools);
    expect(text).not.toContain("#/components");
    expect(text).not.toContain('"discriminator"');
    expect(text).not.toContain('"$dynamicRef"');
    expect(text).not.toContain('"x-');
  });

  it("a oneOf body survives as one `body` argument; the cyclic Planet and Satellite are $defs", async () => {
    const { tools } = await galaxy(galaxyJson());
    const input = tools.find((t) => t.name === "createCelestialBody").inputSchema;
    expect(input.properties.body).toEqual({
      oneOf: [{ $ref: "#/$defs/Planet" }, { $ref: "#/$defs/Satellite" }],
      description: "A celestial body which can be either a planet or a satellite",
    });
    expect(input.required).toEqual(["body"]);
    expect(Object.keys(input.$defs).sort()).toEqual(["Planet", "Satellite"]);
    // Request schemas leave readOnly properties out.
    expect(input.$defs.Planet.properties.id).toBeUndefined();
    expect(input.$defs.Planet.required).toEqual(["name"]);
    expect(input.$defs.Satellite.properties.orbit.properties.planet).toEqual({ $ref: "#/$defs/Planet" });
  });

  it("a plain object body (Planet) is merged at the top level with its cyclic parts as $defs", async () => {
    const { tools } = await galaxy(galaxyJson());
    const input = tools.find((t) => t.name === "createPlanet").inputSchema;
    expect(input.type).toBe("object");
    expect(input.required).toEqual(["name"]);
    expect(input.properties.id).toBeUndefined();
    expect(input.properties.description).toEqual({
      type: ["string", "null"],
      examples: ["The red planet", "A gas giant with a great red spot"],
    });
    expect(input.properties.satellites.items).toEqual({ $ref: "#/$defs/Satellite" });
    expect(Object.keys(input.$defs).sort()).toEqual(["Planet", "Satellite"]);
  });

  it("output schemas: the $ref'd Planet is inlined; the $dynamicRef page is bound to Planet", async () => {
    const { tools } = await galaxy(galaxyJson(), { validateOutput: true });
    const planet = tools.find((t) => t.name === "getPlanet").outputSchema;
    expect(planet.properties.id).toEqual({ type: "integer", format: "int64", readOnly: true, examples: [1] });
    const page = tools.find((t) => t.name === "getAllData").outputSchema;
    expect(page.properties.data).toEqual({ type: "array", items: { $ref: "#/$defs/Planet" } });
    expect(Object.keys(page.$defs).sort()).toEqual(["Planet", "Satellite"]);
  });

  it("calls go to the document's first server; the oneOf is checked before the call", async () => {
    const { requests, fetch } = recordingFetch();
    const { handler } = await galaxy(galaxyJson(), { fetch, validateOutput: true });
    const planet = await callTool(handler, "getPlanet", { planetId: 1 });
    expect(planet.structuredContent).toEqual({ id: 1, name: "Mars", type: "terrestrial" });
    expect(requests.at(-1)).toEqual({ method: "GET", url: "https://galaxy.scalar.com/planets/1", body: "" });

    const moon = { name: "Phobos", type: "moon", orbit: { planet: { name: "Mars", type: "terrestrial" } } };
    const created = await callTool(handler, "createCelestialBody", { body: moon });
    expect(created.isError).toBeUndefined();
    expect(JSON.parse(requests.at(-1)?.body ?? "")).toEqual(moon);

    // Matches both Planet and Satellite: oneOf refuses it, and nothing is sent.
    const sent = requests.length;
    const ambiguous = await callTool(handler, "createCelestialBody", { body: { name: "X" } });
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.content[0]?.text).toMatch(/^Invalid arguments for tool createCelestialBody/);
    // The cyclic $ref is followed when checking: a bad nested planet is refused too.
    const badNested = { name: "Deimos", type: "moon", orbit: { planet: { name: 7 } } };
    expect((await callTool(handler, "createCelestialBody", { body: badNested })).isError).toBe(true);
    expect(requests.length).toBe(sent);
  });
});
