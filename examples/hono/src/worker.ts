/** Cloudflare Workers (`wrangler dev`, `wrangler deploy`): a module worker, both faces. */
import { handle } from "@portico/adapter-workers";
import { app } from "./app.ts";

export default handle(app);
