/**
 * The MCP server under test, the same on every host: two tools guarded by OAuth scopes, answering
 * with what the core established about the caller (`ctx.auth`). Edge-safe (no Node APIs): the
 * Worker bundles this file too.
 */
import { type OAuthResourceServerOptions, oauthResourceServer } from "@portico/auth";
import { addTool, createHandler, type HandlerContext, McpServer } from "@portico/core";
import * as v from "valibot";

export const MCP_PATH = "/mcp";

export interface NotesServerOptions {
  /** This server's resource URI, e.g. `http://127.0.0.1:PORT/mcp`: what tokens must be issued for. */
  resource: string;
  /** The authorization server's issuer. */
  issuer: string;
  /** Its key set; without it, found through the issuer's metadata. */
  jwksUrl?: string;
  /** The key of sealed MRTR request state (32+ bytes), as a multi-instance host must have one. */
  secret: string;
}

/** What both tools report about the caller. */
function caller(auth: HandlerContext["auth"]) {
  return {
    subject: auth?.subject ?? null,
    clientId: auth?.clientId ?? null,
    issuer: auth?.issuer ?? null,
    scopes: [...(auth?.scopes ?? [])].sort(),
    audience: auth?.claims?.aud ?? null,
  };
}

export function createNotesHandler(options: NotesServerOptions) {
  const server = new McpServer({ name: "portico-auth-e2e-notes", version: "1.0.0" });
  /** Notes per subject, in memory. */
  const notes = new Map<string, string[]>();

  addTool(
    server,
    "read_notes",
    { description: "Lists the caller's notes.", scopes: ["notes:read"] },
    (_args, ctx) => {
      const who = caller(ctx.auth);
      const structuredContent = { ...who, notes: notes.get(who.subject ?? "") ?? [] };
      return { content: [{ type: "text", text: JSON.stringify(structuredContent) }], structuredContent };
    },
  );

  addTool(
    server,
    "write_note",
    {
      description: "Adds a note for the caller.",
      input: v.object({ text: v.pipe(v.string(), v.minLength(1)) }),
      scopes: ["notes:write"],
    },
    ({ text }, ctx) => {
      const who = caller(ctx.auth);
      const list = notes.get(who.subject ?? "") ?? [];
      list.push(text);
      notes.set(who.subject ?? "", list);
      const structuredContent = { ...who, written: text, count: list.length };
      return { content: [{ type: "text", text: JSON.stringify(structuredContent) }], structuredContent };
    },
  );

  const auth: OAuthResourceServerOptions = {
    resource: options.resource,
    authorizationServers: [options.issuer],
    scopesSupported: ["notes:read", "notes:write"],
    // Every request needs `notes:read`, so the 401 challenge asks for just that: a client starts
    // with the least scope and steps up to `notes:write` when `write_note` answers 403.
    requiredScopes: ["notes:read"],
  };
  if (options.jwksUrl !== undefined) auth.jwksUrl = options.jwksUrl;
  return createHandler(server, { auth: oauthResourceServer(auth), secret: options.secret });
}
