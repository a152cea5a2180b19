/**
 * The in-workerd test project (see ../../vitest.workerd.base.ts): correlation through the Workers
 * adapter inside workerd itself, with the Worker of test/workerd/wrangler.jsonc.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { workerdProject } from "../../vitest.workerd.base.ts";

export default workerdProject("observe", cloudflareTest);
