/**
 * The bench's `portico` app behind the Lambda adapter's event conversion (bundled by cold-start.ts
 * and ric-cold-start.ts), with `secret` from `PORTICO_SECRET` when the function's environment sets it.
 */
import { handle } from "@portico/adapter-lambda";
import { portico } from "../apps/portico.ts";

export const handler = handle(portico(process.env.PORTICO_SECRET));
