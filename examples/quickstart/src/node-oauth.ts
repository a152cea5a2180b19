/**
 * The quickstart behind OAuth on the Node adapter: `OAUTH_ISSUER=https://… npm run start:oauth`
 * (see src/oauth-app.ts for the settings). Without a token every call gets 401 with the
 * `resource_metadata` an MCP client follows to your authorization server.
 */
import { serve } from "@portico/adapter-node";
import { createOAuthApp, oauthConfigFromEnv } from "./oauth-app.ts";

const port = process.env.PORT ? Number(process.env.PORT) : 3000;
const server = await serve(createOAuthApp(oauthConfigFromEnv(process.env, port)), {
  port,
  hostname: "127.0.0.1",
  handleSignals: true,
});
console.log(`Portico quickstart MCP server (OAuth) listening on ${server.url}/mcp`);
