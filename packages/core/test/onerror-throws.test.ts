/**
 * An `onError` that throws (or rejects) is the operator's bug: it must neither crash the process
 * (an unhandled rejection) nor leave the request without an answer. What it throws is dropped.
 */
import { describe, expect, it } from "vitest";
import { addResource, addTool, createHandler, ErrorCode, McpServer } from "../src/index.ts";
import { answerOnce, unhandledRejections } from "./_unhandled.ts";

const unhandled = unhandledRejections();

function server() {
  const s = new McpServer({ name: "t", version: "1" });
  addTool(s, "boom", {}, () => {
    throw new Error("secret internal detail");
  });
  addResource(s, "r://boom", { name: "boom" }, () => {
    throw new Error("secret internal detail");
  });
  return s;
}

const throwing = {
  sync: () => {
    throw new Error("onError itself failed");
  },
  async: async () => {
    throw new Error("onError itself failed");
  },
};

describe.each(["modern", "legacy"] as const)("an onError that throws (%s era)", (era) => {
  describe.each(Object.keys(throwing) as (keyof typeof throwing)[])("%s", (kind) => {
    async function ask(method: string, params: Record<string, unknown>) {
      let reports = 0;
      const handler = createHandler(server(), {
        onError: () => {
          reports++;
          return throwing[kind]();
        },
      });
      return { answer: await answerOnce(handler, era, method, params), reports };
    }

    it("still answers a tool that failed with an internal error (an isError result)", async () => {
      const { answer, reports } = await ask("tools/call", { name: "boom", arguments: {} });
      expect(answer.final.result.isError).toBe(true);
      expect(JSON.stringify(answer.final)).not.toContain("secret");
      expect(reports).toBeGreaterThanOrEqual(1);
      expect(unhandled).toEqual([]);
    });

    it("still answers a method that failed with -32603", async () => {
      const { answer, reports } = await ask("resources/read", { uri: "r://boom" });
      expect(answer.final.error).toEqual({ code: ErrorCode.InternalError, message: "Internal error" });
      expect(reports).toBe(1);
      expect(unhandled).toEqual([]);
    });
  });
});
