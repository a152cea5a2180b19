/**
 * 2026-07-28 request validation: the `_meta` envelope, `MCP-Protocol-Version`, and the
 * `Mcp-Method` / `Mcp-Name` / `Mcp-Param-*` headers that must mirror the body.
 */

import type { Definitions, MethodSpec } from "../definition/method.ts";
import { ErrorCode } from "../errors.ts";
import { httpError } from "../http/responses.ts";
import type { JsonRpcRequest, RequestId } from "../jsonrpc/messages.ts";
import { isModernVersion, LOG_LEVELS, META, MODERN_VERSIONS } from "../jsonrpc/protocol.ts";
import { decodeHeaderValue } from "../util/encoding.ts";

export interface Envelope {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown> | undefined;
  logLevel: string | undefined;
}

function mismatch(id: RequestId | null, message: string): Response {
  return httpError(400, ErrorCode.HeaderMismatch, message, { id });
}

/** Reads and checks the `_meta` envelope and the version header. */
export function readEnvelope(
  request: Request,
  message: { id?: RequestId; params?: Record<string, unknown> },
): Envelope | Response {
  const id = message.id ?? null;
  const header = request.headers.get("mcp-protocol-version");
  if (header === null) return mismatch(id, "Header mismatch: MCP-Protocol-Version header is required");
  const meta = message.params?._meta as Record<string, unknown> | undefined;
  const version = meta?.[META.protocolVersion];
  if (typeof version !== "string") {
    return httpError(
      400,
      ErrorCode.InvalidParams,
      `Invalid params: missing required _meta field ${META.protocolVersion}`,
      {
        id,
      },
    );
  }
  const caps = meta?.[META.clientCapabilities];
  if (typeof caps !== "object" || caps === null || Array.isArray(caps)) {
    return httpError(
      400,
      ErrorCode.InvalidParams,
      `Invalid params: missing required _meta field ${META.clientCapabilities}`,
      { id },
    );
  }
  if (header.trim() !== version) {
    return mismatch(
      id,
      `Header mismatch: MCP-Protocol-Version header (${header}) does not match _meta protocol version (${version})`,
    );
  }
  if (!isModernVersion(version)) {
    return httpError(400, ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version: ${version}`, {
      id,
      data: { supported: [...MODERN_VERSIONS], requested: version },
    });
  }
  const info = meta?.[META.clientInfo];
  const level = meta?.[META.logLevel];
  // Not a LoggingLevel: refused, as the spec asks (logging, Error Handling), not taken for "no logs".
  if (level !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(level)) {
    return httpError(
      400,
      ErrorCode.InvalidParams,
      `Invalid params: _meta ${META.logLevel} must be one of ${LOG_LEVELS.join(", ")}`,
      { id },
    );
  }
  return {
    protocolVersion: version,
    clientCapabilities: caps as Record<string, unknown>,
    clientInfo: typeof info === "object" && info !== null ? (info as Record<string, unknown>) : undefined,
    logLevel: level as string | undefined,
  };
}

/** Checks `Mcp-Method`, `Mcp-Name` and the headers the method's spec mirrors against the body. */
export function checkMirrorHeaders(
  request: Request,
  message: JsonRpcRequest | { id?: undefined; method: string; params?: Record<string, unknown> },
  spec: MethodSpec | undefined,
  definitions: Definitions,
): Response | undefined {
  const id = message.id ?? null;
  const method = request.headers.get("mcp-method");
  if (method === null) return mismatch(id, "Header mismatch: Mcp-Method header is required");
  const decodedMethod = decodeHeaderValue(method);
  if (decodedMethod === undefined) return mismatch(id, "Header mismatch: Mcp-Method header is malformed");
  if (decodedMethod !== message.method) {
    return mismatch(
      id,
      `Header mismatch: Mcp-Method header (${decodedMethod}) does not match method (${message.method})`,
    );
  }
  const field = spec?.nameParam;
  if (field === undefined) return undefined;
  const params = message.params ?? {};
  const name = request.headers.get("mcp-name");
  if (name === null) return mismatch(id, "Header mismatch: Mcp-Name header is required");
  const decodedName = decodeHeaderValue(name);
  if (decodedName === undefined) return mismatch(id, "Header mismatch: Mcp-Name header is malformed");
  if (decodedName !== params[field]) {
    return mismatch(id, `Header mismatch: Mcp-Name header does not match params.${field}`);
  }
  const more = spec?.mirrors?.(request.headers, params, definitions);
  return more === undefined ? undefined : mismatch(id, more);
}
