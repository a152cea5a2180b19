/**
 * The in-workerd test project (see ../../vitest.workerd.base.ts): test files run inside workerd with
 * the Worker of test/workerd/wrangler.jsonc, its Durable Object binding included.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { workerdProject } from "../../vitest.workerd.base.ts";

export default workerdProject("adapter-workers", cloudflareTest);
