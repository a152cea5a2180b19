/** AWS Lambda (API Gateway HTTP or REST API, Function URL, ALB): one function, both faces. */
import { handle } from "@portico/adapter-lambda";
import { app } from "./app.ts";

export const handler = handle(app);
