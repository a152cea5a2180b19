/** Cloudflare Workers (`wrangler dev`, `wrangler deploy`): a module worker, both faces. */
import { handle } from "@portico/adapter-workers";
import { createApp } from "./app.ts";

export default handle(await createApp());
