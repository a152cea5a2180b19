/**
 * The CDK app: `pnpm run synth` writes the cloud assembly to `cdk.out/` (offline);
 * `npx aws-cdk deploy` (from this folder, see cdk.json) deploys it. Build the bundle first.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { QuickstartLambdaStack } from "./stack.ts";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const codeDirectory = join(packageRoot, "dist");
if (!existsSync(join(codeDirectory, "handler.mjs"))) {
  console.error("dist/handler.mjs is missing: run `pnpm run build` first.");
  process.exit(1);
}

// The CDK CLI sets CDK_OUTDIR; run directly, the assembly goes to ./cdk.out like `cdk synth`.
const app = new App({ outdir: process.env.CDK_OUTDIR ?? join(packageRoot, "cdk.out") });
new QuickstartLambdaStack(app, "PorticoQuickstartLambda", {
  codeDirectory,
  description: "Portico quickstart MCP server on AWS Lambda (Function URL streaming + HTTP API, DynamoDB)",
});
app.synth();
