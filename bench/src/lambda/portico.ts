/** The bench's `portico` app behind the Lambda adapter's event conversion (bundled by cold-start.ts). */
import { handle } from "@portico/adapter-lambda";
import { portico } from "../apps/portico.ts";

export const handler = handle(portico());
