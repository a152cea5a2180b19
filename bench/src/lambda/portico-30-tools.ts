/**
 * The `portico` target with 30 tools (`add` and 29 with realistic inputs) behind the Lambda
 * adapter: how a cold start grows with the tools a server registers (bundled by cold-start.ts).
 */
import { handle } from "@portico/adapter-lambda";
import { porticoManyTools } from "../apps/portico.ts";

export const handler = handle(porticoManyTools());
