/**
 * `node --import ./scripts/typescript.mjs src/node.ts`: lets a Node.js without type stripping
 * (20 up to 22.17) run the quickstart's TypeScript as it is, so `npm run quickstart` needs nothing
 * but the system's Node 20. Sucrase removes the types (as Node ≥ 22.18 does natively; no type
 * checking either way); on a Node that strips types itself this module does nothing.
 */
import { register } from "node:module";

if (process.features.typescript === undefined) {
  register("./typescript-hooks.mjs", import.meta.url);
}
