/**
 * GitHub's REST API document (@octokit/openapi, ~1200 operations, 13 MB of JSON): converts in a
 * few seconds into unique valid names and input schemas the core compiles; calls go where they
 * should.
 */
import { compileSchema, jsonSchema, McpServer } from "@portico/core";
import { beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI, GET_AS_RESOURCES, type OpenApiRegistration } from "../src/index.ts";
import { callTool, handlerOf, listTools } from "./_mcp.ts";
import { specText } from "./_specs.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

describe("GitHub's REST API document", () => {
  const text = specText("@octokit/openapi", "generated/api.github.com.json");
  const doc = JSON.parse(text) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(doc.paths).flatMap((item) =>
    Object.keys(item).filter((k) => METHODS.includes(k)),
  );
  const requests: string[] = [];
  const server = new McpServer({ name: "github", version: "1.0.0" });
  let registration: OpenApiRegistration;
  let ms = 0;

  beforeAll(async () => {
    const heap = process.memoryUsage().heapUsed;
    // CPU time, not wall time: a loaded machine (other test files on the same cores) slows the
    // clock on the wall, not the work.
    const cpu = process.cpuUsage();
    const started = performance.now();
    registration = await fromOpenAPI(server, text, {
      fetch: async (request) => {
        requests.push(`${request.method} ${request.url} ${request.headers.get("authorization")}`);
        return Response.json({ id: 1, full_name: "octocat/hello-world" });
      },
      auth: { header: "authorization", value: "Bearer gh-token" },
    });
    const used = process.cpuUsage(cpu);
    ms = (used.user + used.system) / 1000;
    const wallMs = performance.now() - started;
    const mb = (process.memoryUsage().heapUsed - heap) / 1e6;
    console.log(
      `GitHub: ${registration.tools.length} tools in ${Math.round(ms)} ms of CPU (${Math.round(wallMs)} ms on the wall), heap +${Math.round(mb)} MB`,
    );
  }, 60_000);

  it("converts within a few seconds: every operation a tool or skipped with a reason", () => {
    expect(ms).toBeLessThan(8_000);
    expect(operations.length).toBeGreaterThan(1_000);
    expect(registration.tools.length + registration.skipped.length).toBe(operations.length);
    expect(registration.skipped.map((s) => s.operation).sort()).toEqual([
      "POST /markdown/raw",
      "POST /repos/{owner}/{repo}/releases/{release_id}/assets",
    ]);
  });

  it("names are unique and follow the tool name rule", () => {
    expect(new Set(registration.tools).size).toBe(registration.tools.length);
    for (const name of registration.tools) expect(name).toMatch(/^[A-Za-z0-9_.\-/]{1,128}$/);
    expect(registration.tools).toContain("repos/get");
    expect(registration.tools).toContain("issues/list-for-repo");
  });

  it("every input schema compiles with the core's jsonSchema; a sample validates arguments", async () => {
    const tools = [...server.registry<any>("tools").values()];
    for (const tool of tools) {
      const schema = tool.input.jsonSchema;
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
      compileSchema(jsonSchema(schema), tool.name);
    }
    for (const tool of tools.filter((_, i) => i % Math.floor(tools.length / 50) === 0)) {
      const checked = await tool.input.validate({});
      const required = (tool.input.jsonSchema.required ?? []) as string[];
      expect(checked.ok).toBe(required.length === 0);
    }
  });

  it("tools/list pages through the tools", async () => {
    const first = await listTools(handlerOf(server));
    expect(first.length).toBe(100);
    expect(first[0].name).toBe(registration.tools[0]);
  });

  it("a call goes to api.github.com with the path, query and credentials", async () => {
    const handler = handlerOf(server);
    const repo = await callTool(handler, "repos/get", { owner: "octocat", repo: "hello world" });
    expect(repo.structuredContent).toEqual({ id: 1, full_name: "octocat/hello-world" });
    const issues = await callTool(handler, "issues/list-for-repo", {
      owner: "octocat",
      repo: "hello",
      state: "open",
      labels: "bug,ui",
      per_page: 5,
    });
    expect(issues.isError).toBeUndefined();
    expect(requests).toEqual([
      "GET https://api.github.com/repos/octocat/hello%20world Bearer gh-token",
      "GET https://api.github.com/repos/octocat/hello/issues?state=open&labels=bug%2Cui&per_page=5 Bearer gh-token",
    ]);
  });

  it("with GET_AS_RESOURCES: GETs become resources and templates, the rest tools", async () => {
    const other = new McpServer({ name: "github", version: "1.0.0" });
    const mapped = await fromOpenAPI(other, text, { routes: GET_AS_RESOURCES });
    const gets = Object.values(doc.paths).flatMap((item) => Object.keys(item).filter((k) => k === "get"));
    const skippedGets = mapped.skipped.filter((s) => s.operation.startsWith("GET "));
    expect(skippedGets).toEqual([]);
    expect(mapped.resources.length + mapped.templates.length).toBe(gets.length);
    expect(mapped.tools.length + gets.length + mapped.skipped.length).toBe(operations.length);
    expect(mapped.templates).toContain("https://api.github.com/repos/{owner}/{repo}");
    expect(mapped.resources).toContain("https://api.github.com/user");
  }, 60_000);
});
