/**
 * The Lambda entry points, bundled into `dist/handler.mjs`:
 * - `handler`: buffered, for the HTTP API route `ANY /mcp` (JSON responses; long-lived streams get 405);
 * - `streamHandler`: response streaming, for the Function URL with `InvokeMode: RESPONSE_STREAM`.
 *
 * Cold start: reads the environment, fetches the requestState secret from Secrets Manager (top-level
 * await, so it happens during the init phase and a failure fails the init, not a request), and
 * builds the server on the DynamoDB stores — behind OAuth when `OAUTH_ISSUER` is set (see auth.ts).
 *
 * Observability (`@portico/observe`): one JSON line per request on stdout (CloudWatch Logs), each
 * with the invocation's `awsRequestId` and X-Ray trace id, and CloudWatch Embedded Metric Format
 * documents (namespace `PorticoQuickstart`): requests, errors and durations by method and tool, store
 * latency, HTTP refusals, stream lengths. `LOG_LEVEL` sets the lowest level written (default info),
 * `METRICS=off` leaves the metrics out.
 *
 * Tasks (the `report` tool, for clients that support them): the invocation that receives the
 * `tools/call` stores the task and answers at once; each run of it is an asynchronous invocation of
 * this same function (`invokeSelf()`: function name, region and role credentials from the Lambda
 * environment), which both handlers recognise and pass to `app.runTask`. A run that nears the
 * function's timeout saves its place and invokes the function again. The role's `InvokeSelfPolicy`
 * (template.yaml, cdk/stack.ts) allows it.
 */
import { handle, invokeSelf, streamHandle } from "@portico/adapter-lambda";
import { emfMetrics, observe } from "@portico/observe";
import { dynamoDbStores } from "@portico/store-dynamodb";
import { createApp } from "./app.ts";
import { METRICS_NAMESPACE, readConfig } from "./config.ts";
import { fetchSecret } from "./secret.ts";

const config = readConfig(process.env);
const secret = await fetchSecret(config);
const ops = observe({
  service: config.service,
  level: config.logLevel,
  ...(config.metrics
    ? { metrics: emfMetrics({ namespace: METRICS_NAMESPACE, service: config.service }) }
    : {}),
});

const app = createApp(
  {
    stores: ops.stores(
      dynamoDbStores({
        tableName: config.tableName,
        region: config.region,
        ...(config.dynamoDbEndpoint === undefined ? {} : { endpoint: config.dynamoDbEndpoint }),
      }),
    ),
    secret,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
  },
  config.oauth,
  { taskDispatch: invokeSelf() },
  ops,
);

export const handler = handle(app);
export const streamHandler = streamHandle(app);
