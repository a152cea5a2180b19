/**
 * The pieces of portico-lambda-cache's `--call`: reading the option, the 2026-07-28 headers a call
 * sends, and finding the answer in a JSON or SSE body. (code-cache.test.ts runs them end to end.)
 */
import { describe, expect, it } from "vitest";

interface Calls {
  parseCall(text: string): { call?: { name: string; arguments: unknown }; error?: string };
  headerValue(text: string): string;
  paramHeaders(schema: unknown, args: unknown): Record<string, string>;
  rpcAnswer(text: string, id: number): unknown;
  whyFailed(answer: unknown, status: number): string | undefined;
}

const calls: Calls = await import(new URL("../bin/_code-cache-calls.mjs", import.meta.url).href);

describe("--call", () => {
  it("reads a tool name with or without JSON object arguments, and says what is wrong otherwise", () => {
    expect(calls.parseCall("ping")).toStrictEqual({ call: { name: "ping", arguments: {} } });
    expect(calls.parseCall('add={"a":1,"b":"x=y"}')).toStrictEqual({
      call: { name: "add", arguments: { a: 1, b: "x=y" } },
    });
    expect(calls.parseCall("={}").error).toBe('--call "={}" names no tool: --call \'add={"a":1}\'');
    expect(calls.parseCall("add=").error).toMatch(/^--call add: its arguments are not JSON \(/);
    for (const bad of ["add=null", "add=[]", "add=3", 'add="x"']) {
      expect(calls.parseCall(bad).error).toBe("--call add: its arguments must be a JSON object");
    }
  });

  it("sends printable ASCII header values as they are and others base64-encoded", () => {
    expect(calls.headerValue("eu-west-1")).toBe("eu-west-1");
    expect(calls.headerValue("zürich")).toBe(`=?base64?${Buffer.from("zürich").toString("base64")}?=`);
    expect(calls.headerValue(" padded")).toBe(`=?base64?${Buffer.from(" padded").toString("base64")}?=`);
    expect(calls.headerValue("a\nb")).toBe(`=?base64?${Buffer.from("a\nb").toString("base64")}?=`);
  });

  it("mirrors each x-mcp-header argument that is a string, number or boolean, nested ones included", () => {
    const schema = {
      type: "object",
      properties: {
        region: { type: "string", "x-mcp-header": "Region" },
        count: { type: "number", "x-mcp-header": "Count" },
        dry: { type: "boolean", "x-mcp-header": "Dry-Run" },
        tags: { type: "array", "x-mcp-header": "Tags" },
        absent: { type: "string", "x-mcp-header": "Absent" },
        where: { type: "object", properties: { zone: { type: "string", "x-mcp-header": "Zone" } } },
      },
    };
    const args = { region: "eu", count: 3, dry: false, tags: ["a"], where: { zone: "b" } };
    expect(calls.paramHeaders(schema, args)).toStrictEqual({
      "mcp-param-region": "eu",
      "mcp-param-count": "3",
      "mcp-param-dry-run": "false",
      "mcp-param-zone": "b",
    });
    expect(calls.paramHeaders(undefined, args)).toStrictEqual({});
  });

  it("finds the answer to its id in a JSON body, a batch, or an SSE stream after notifications", () => {
    const answer = { jsonrpc: "2.0", id: 7, result: { content: [] } };
    expect(calls.rpcAnswer(JSON.stringify(answer), 7)).toStrictEqual(answer);
    expect(calls.rpcAnswer(JSON.stringify([{ jsonrpc: "2.0", id: 6, result: {} }, answer]), 7)).toStrictEqual(
      answer,
    );
    const progress = { jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } };
    const sse = `event: message\ndata: ${JSON.stringify(progress)}\n\nid: 2\ndata: ${JSON.stringify(answer)}\n\n`;
    expect(calls.rpcAnswer(sse, 7)).toStrictEqual(answer);
    expect(calls.rpcAnswer(sse.replaceAll("\n", "\r\n"), 7)).toStrictEqual(answer);
    expect(calls.rpcAnswer(sse, 8)).toBeUndefined();
    expect(calls.rpcAnswer("{not json", 7)).toBeUndefined();
  });

  it("says what a call was answered with unless it is a plain result", () => {
    expect(calls.whyFailed({ id: 1, result: { content: [] } }, 200)).toBeUndefined();
    expect(calls.whyFailed(undefined, 502)).toBe("HTTP 502 and no JSON-RPC answer");
    expect(calls.whyFailed({ id: 1, error: { code: -32602, message: "Unknown tool: x" } }, 200)).toBe(
      "error -32602: Unknown tool: x",
    );
    expect(calls.whyFailed({ id: 1, result: { resultType: "input_required", inputRequests: {} } }, 200)).toBe(
      "input_required (the tool asked for input)",
    );
    expect(
      calls.whyFailed({ id: 1, result: { isError: true, content: [{ type: "text", text: "boom" }] } }, 200),
    ).toBe("a tool error: boom");
    expect(calls.whyFailed({ id: 1, result: { isError: true, content: [] } }, 200)).toBe("a tool error");
  });
});
