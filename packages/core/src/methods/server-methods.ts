/**
 * The methods every server has: `ping` and `logging/setLevel` (legacy era) and `server/discover`
 * (modern era). `createHandler` installs them.
 */
import type { McpCall, McpResult, MethodFamily } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { LOG_LEVELS, type LogLevel, MODERN_VERSIONS } from "../jsonrpc/protocol.ts";
import { capabilitiesOf } from "./table.ts";

async function setLevel(call: McpCall): Promise<McpResult> {
  const level = call.params.level;
  if (typeof level !== "string" || !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid params: /level must be one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  await call.session?.update((s) => ({ ...s, logLevel: level as LogLevel }));
  return {};
}

function discover(call: McpCall): McpResult {
  const server = call.definitions;
  const result: McpResult = {
    // Legacy versions are negotiated by `initialize`, not chosen from here.
    supportedVersions: [...MODERN_VERSIONS],
    capabilities: capabilitiesOf(server, "modern"),
  };
  if (server.instructions !== undefined) result.instructions = server.instructions;
  return result;
}

/** `initialize` (inside a session), `ping`, `server/discover`. */
export const SERVER: MethodFamily = {
  name: "server",
  methods: {
    // The first message of a session; inside one (a batch item) it is an error.
    initialize: {
      eras: ["legacy"],
      handler: () => {
        throw new McpError(ErrorCode.InvalidRequest, "The session is already initialized");
      },
    },
    ping: { eras: ["legacy"], handler: () => ({}) },
    "server/discover": { eras: ["modern"], cacheable: true, handler: discover },
  },
};

/** `logging/setLevel` (legacy; modern clients set the level per request in `_meta`). */
export const LOGGING: MethodFamily = {
  name: "logging",
  methods: { "logging/setLevel": { eras: ["legacy"], handler: setLevel } },
  capabilities: () => ({ logging: {} }),
};
