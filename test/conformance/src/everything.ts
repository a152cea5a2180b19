/**
 * The "everything" server: every tool, resource and prompt the official conformance suite
 * (`@modelcontextprotocol/conformance`) expects, built on Portico's public API only. Every
 * adapter mounts this same definition when the suite runs against it.
 */
import { addTool, McpServer, type TasksOptions } from "@portico/core";
import { registerPrompts } from "./_prompts.ts";
import { registerResources } from "./_resources.ts";
import { registerSkills } from "./_skills.ts";
import { registerBasicTools } from "./_tools-basic.ts";
import { registerClientRequestTools } from "./_tools-client-requests.ts";
import { registerDiagnosticTools, registerMrtrTools } from "./_tools-modern.ts";
import { registerTaskTools } from "./_tools-tasks.ts";

export interface EverythingOptions {
  /**
   * Registers `test_dynamic_tool` this long after creation (the suite's fixture uses 2000 ms),
   * which emits `notifications/tools/list_changed`. Default: never (deterministic lists).
   */
  dynamicToolDelayMs?: number;
  /** Where task runs start (`enableTasks`' `dispatch`): default, in the instance that made the task. */
  taskDispatch?: TasksOptions["dispatch"];
}

export interface EverythingServer {
  server: McpServer;
  /** Cancels pending timers (the dynamic tool). */
  dispose(): void;
}

/** The everything server definition. */
export function createEverythingServer(options: EverythingOptions = {}): McpServer {
  return createEverything(options).server;
}

/** The everything server plus a `dispose()` for its timers. */
export function createEverything(options: EverythingOptions = {}): EverythingServer {
  const server = new McpServer({
    name: "portico-everything",
    title: "Portico everything server",
    version: "0.0.0",
    instructions: "A server exposing every feature the MCP conformance suite exercises.",
  });
  registerBasicTools(server);
  registerClientRequestTools(server);
  registerMrtrTools(server);
  registerDiagnosticTools(server);
  registerTaskTools(server, options.taskDispatch);
  registerResources(server);
  registerPrompts(server);
  registerSkills(server);

  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.dynamicToolDelayMs !== undefined) {
    timer = setTimeout(() => {
      timer = undefined;
      addTool(
        server,
        "test_dynamic_tool",
        { description: "Registered after start-up" },
        () => "Dynamic tool called",
      );
    }, options.dynamicToolDelayMs);
    timer.unref?.();
  }
  return {
    server,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
