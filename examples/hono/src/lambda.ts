/** AWS Lambda (API Gateway HTTP or REST API, Function URL, ALB): one function, both faces. */
import { handle } from "@portico/adapter-lambda";
import { createApp } from "./app.ts";

export const handler = handle(await createApp());
