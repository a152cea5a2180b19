/** The bench's `bare` app behind the Lambda adapter's event conversion (bundled by cold-start.ts). */
import { handle } from "@portico/adapter-lambda";
import { bare } from "../apps/bare.ts";

export const handler = handle(bare());
