/**
 * The notes MCP server as a Cloudflare module worker, for the Workers leg of the OAuth end-to-end
 * test (src/hosts/workers.ts runs it under `wrangler dev`). Configured through vars: its resource
 * URI, the authorization server's issuer and JWKS URL, the MRTR state secret.
 */
import { handle } from "@portico/adapter-workers";
import { createNotesHandler } from "../src/notes-server.ts";

interface NotesEnv {
  MCP_RESOURCE: string;
  OAUTH_ISSUER: string;
  OAUTH_JWKS_URL: string;
  MCP_STATE_SECRET: string;
}

export default handle<NotesEnv>((env) =>
  createNotesHandler({
    resource: env.MCP_RESOURCE,
    issuer: env.OAUTH_ISSUER,
    jwksUrl: env.OAUTH_JWKS_URL,
    secret: env.MCP_STATE_SECRET,
  }),
);
