/** The bench's `sdk-v2` app behind the Lambda adapter's event conversion (bundled by cold-start.ts). */
import { handle } from "@portico/adapter-lambda";
import { sdkV2 } from "../apps/sdk-v2.ts";

export const handler = handle(sdkV2());
