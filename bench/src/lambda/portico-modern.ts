/**
 * The bench's `portico` app served by `createModernHandler` (2026-07-28 only) behind the Lambda
 * adapter's event conversion, with `secret` from `PORTICO_SECRET` when the environment sets it.
 */
import { handle } from "@portico/adapter-lambda";
import { porticoModern } from "../apps/portico.ts";

export const handler = handle(porticoModern(process.env.PORTICO_SECRET));
