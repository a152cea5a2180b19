/**
 * `addExtension`: an extension's identifier and settings under `capabilities.extensions` in
 * `initialize` and `server/discover`, its methods served in both eras from the method table,
 * `clientExtension` reading what the client declared, and the refusals (a bad identifier, another
 * extension with the same identifier, a method another family declared).
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  addExtension,
  addTool,
  clientExtension,
  createHandler,
  type McpExtension,
  McpServer,
  PorticoError,
} from "../src/index.ts";
import { legacySession, modern, read, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

const REPORTS: McpExtension = {
  id: "com.example/reports",
  settings: { formats: ["pdf"] },
  methods: {
    "reports/list": {
      eras: ["modern", "legacy"],
      handler: (call) => ({
        reports: ["q1"],
        clientSettings: clientExtension(call.ctx, "com.example/reports") ?? null,
      }),
    },
  },
};

function reportsServer(): McpServer {
  const server = new McpServer({ name: "ext", version: "1.0.0" });
  addTool(server, "noop", { input: v.object({}) }, () => "ok");
  addExtension(server, REPORTS);
  return server;
}

describe("addExtension", () => {
  it("declares the extension in server/discover and serves its method (2026-07-28)", async () => {
    const handler = createHandler(reportsServer());
    try {
      const discover = await modern(handler, "server/discover");
      expect(discover.final.result.capabilities.extensions).toEqual({
        "com.example/reports": { formats: ["pdf"] },
      });
      expect(discover.final.result.capabilities.tools).toBeDefined();
      const listed = await modern(
        handler,
        "reports/list",
        {},
        {
          capabilities: { extensions: { "com.example/reports": { v: 1 } } },
        },
      );
      expect(listed.final.result).toMatchObject({ reports: ["q1"], clientSettings: { v: 1 } });
      const without = await modern(handler, "reports/list");
      expect(without.final.result.clientSettings).toBeNull();
    } finally {
      handler.close();
    }
  });

  it("declares the extension in initialize and serves its method in a session (2025-11-25)", async () => {
    const handler = createHandler(reportsServer());
    try {
      const init = await read(
        await handler.fetch(
          initializeRequest(URL_, "2025-11-25", { extensions: { "com.example/reports": {} } }),
        ),
      );
      expect(init.final.result.capabilities.extensions).toEqual({
        "com.example/reports": { formats: ["pdf"] },
      });
      const session = await legacySession(handler, "2025-11-25", {
        extensions: { "com.example/reports": { v: 2 } },
      });
      const listed = await session.call("reports/list");
      expect(listed.final.result).toMatchObject({ reports: ["q1"], clientSettings: { v: 2 } });
    } finally {
      handler.close();
    }
  });

  it("merges several extensions and the tasks-style entries of other families", async () => {
    const server = reportsServer();
    addExtension(server, { id: "com.example.more/flags", settings: () => ({ on: true }), eras: ["modern"] });
    const handler = createHandler(server);
    try {
      const discover = await modern(handler, "server/discover");
      expect(discover.final.result.capabilities.extensions).toEqual({
        "com.example/reports": { formats: ["pdf"] },
        "com.example.more/flags": { on: true },
      });
      const init = await read(await handler.fetch(initializeRequest(URL_, "2025-11-25", {})));
      expect(init.final.result.capabilities.extensions).toEqual({
        "com.example/reports": { formats: ["pdf"] },
      });
    } finally {
      handler.close();
    }
  });

  it("is not declared, and its methods are not found, while unavailable", async () => {
    const server = new McpServer({ name: "ext", version: "1.0.0" });
    let on = false;
    addExtension(server, { ...REPORTS, available: () => on });
    const handler = createHandler(server);
    try {
      const off = await modern(handler, "server/discover");
      expect(off.final.result.capabilities.extensions).toBeUndefined();
      expect((await modern(handler, "reports/list")).final.error.code).toBe(-32601);
      on = true;
      expect((await modern(handler, "server/discover")).final.result.capabilities.extensions).toBeDefined();
      expect((await modern(handler, "reports/list")).final.result.reports).toEqual(["q1"]);
    } finally {
      handler.close();
    }
  });

  it("refuses a bad identifier, a second extension with the same identifier, a taken method", () => {
    const server = reportsServer();
    addExtension(server, REPORTS); // the same object again: nothing changes
    for (const id of ["reports", "Com.Example/x", "com.example/", "/x", "com/x"]) {
      expect(() => addExtension(server, { id }), id).toThrow(PorticoError);
    }
    expect(() => addExtension(server, { id: "com.example/reports" })).toThrow(/already installed/);
    expect(() =>
      addExtension(server, {
        id: "com.example/other",
        methods: { "tools/list": { eras: ["modern"], handler: () => ({}) } },
      }),
    ).toThrow(/already declared/);
  });
});
