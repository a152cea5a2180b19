/** The AWS Lambda project deployed by a CDK app (`cdk/app.ts`, `cdk/stack.ts`). */
import { type ProjectOptions, resourceName } from "../options.ts";
import {
  dlx,
  execTool,
  gitignore,
  NODE_MINIMUM,
  type ProjectFiles,
  packageJson,
  runScript,
  toolsReadme,
  tsconfig,
} from "./common.ts";
import { BUNDLE, lambdaPortico, lambdaReadme, lambdaSources } from "./lambda.ts";

function stackModule(options: ProjectOptions): string {
  const dynamodb = options.stores === "dynamodb";
  return `/**
 * The stack: the function behind a streaming Function URL, the requestState secret${dynamodb ? ", the DynamoDB\n * table" : ""} and a least-privilege role. \`Code.fromAsset\` takes the pre-built \`dist/\`, so synthesis
 * needs no Docker, network or credentials.
 */
import {
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
} from "aws-cdk-lib";
${dynamodb ? 'import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";\n' : ""}import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  Architecture,
  CfnPermission,
  Code,
  FunctionUrl,
  type FunctionUrlAuthType,
  InvokeMode,
  Function as LambdaFunction,
  Runtime,
} from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";

export interface McpStackProps extends StackProps {
  /** The directory holding \`handler.mjs\` (\`npm run build\` writes \`dist/\`). */
  codeDirectory: string;
}

export class McpStack extends Stack {
  constructor(scope: Construct, id: string, props: McpStackProps) {
    super(scope, id, props);

    const urlAuthType = new CfnParameter(this, "FunctionUrlAuthType", {
      type: "String",
      default: "AWS_IAM",
      allowedValues: ["AWS_IAM", "NONE"],
      description: "AWS_IAM: callers sign with SigV4. NONE: a public URL (add authentication in the app).",
    });
    const allowedHosts = new CfnParameter(this, "AllowedHosts", {
      type: "String",
      default: "",
      description:
        "Comma-separated host names the MCP endpoint answers besides the Function URL's own (e.g. a custom domain).",
    });
    const publicUrl = new CfnCondition(this, "PublicFunctionUrl", {
      expression: Fn.conditionEquals(urlAuthType.valueAsString, "NONE"),
    });
${
  dynamodb
    ? `
    // Legacy-era sessions, event logs and pending replies, and the bus; every item expires through \`ttl\`.
    const table = new Table(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: "ttl",
      removalPolicy: RemovalPolicy.DESTROY,
    });
`
    : ""
}
    // The HMAC key sealing the 2026-07-28 era's requestState, generated at deploy time.
    const secret = new Secret(this, "RequestStateSecret", {
      description: "HMAC key sealing Portico's requestState (shared by every instance)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const logGroup = new LogGroup(this, "McpFunctionLogGroup", {
      retention: RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own log group${dynamodb ? ", the table" : ""} and the secret; no wildcard resources.
    const role = new Role(this, "McpFunctionRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
${
  dynamodb
    ? `    role.addToPolicy(
      new PolicyStatement({
        actions: [
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:Query",
          "dynamodb:BatchWriteItem",
        ],
        resources: [table.tableArn],
      }),
    );
`
    : ""
}    role.addToPolicy(
      new PolicyStatement({ actions: ["secretsmanager:GetSecretValue"], resources: [secret.secretArn] }),
    );

    const fn = new LambdaFunction(this, "McpFunction", {
      description: "${options.name}: MCP server, response streaming",
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(5),
      code: Code.fromAsset(props.codeDirectory),
      handler: "handler.streamHandler",
      role,
      logGroup,
      environment: {
${dynamodb ? "        TABLE_NAME: table.tableName,\n" : ""}        SECRET_ARN: secret.secretArn,
        ALLOWED_HOSTS: allowedHosts.valueAsString,
      },
    });

    // Response streaming: SSE reaches the client as it is written (up to the timeout).
    const url = new FunctionUrl(this, "McpFunctionUrl", {
      function: fn,
      authType: urlAuthType.valueAsString as FunctionUrlAuthType,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
    // A public (NONE) URL needs both grants; created only when NONE is chosen.
    const publicAccess = new CfnPermission(this, "McpFunctionUrlPublicAccess", {
      functionName: fn.functionName,
      action: "lambda:InvokeFunctionUrl",
      principal: "*",
      functionUrlAuthType: "NONE",
    });
    const publicInvoke = new CfnPermission(this, "McpFunctionPublicInvoke", {
      functionName: fn.functionName,
      action: "lambda:InvokeFunction",
      principal: "*",
      invokedViaFunctionUrl: true,
    });
    publicAccess.cfnOptions.condition = publicUrl;
    publicInvoke.cfnOptions.condition = publicUrl;

    new CfnOutput(this, "McpUrl", {
      description: "The MCP endpoint (Function URL, response streaming)",
      value: \`\${url.url}mcp\`,
    });
  }
}
`;
}

function appModule(options: ProjectOptions): string {
  return `/**
 * The CDK app: \`npm run build\` bundles the function and synthesizes the stack into \`cdk.out/\`
 * (offline); \`npm run deploy\` deploys it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { McpStack } from "./stack.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const codeDirectory = join(root, "dist");
if (!existsSync(join(codeDirectory, "handler.mjs"))) {
  console.error("dist/handler.mjs is missing: run \`npm run build\` first.");
  process.exit(1);
}

// The CDK CLI sets CDK_OUTDIR; run directly, the assembly goes to ./cdk.out as with \`cdk synth\`.
const app = new App({ outdir: process.env.CDK_OUTDIR ?? join(root, "cdk.out") });
new McpStack(app, ${JSON.stringify(resourceName(options.name))}, {
  codeDirectory,
  description: ${JSON.stringify(`${options.name}: an MCP server on AWS Lambda (Portico)`)},
});
app.synth();
`;
}

function readme(options: ProjectOptions): string {
  const pm = options.packageManager;
  const run = (script: string) => runScript(pm, script);
  return `# ${options.name}

An [MCP](https://modelcontextprotocol.io) server built with [Portico](https://www.npmjs.com/package/@portico/core)
on AWS Lambda ([\`@portico/adapter-lambda\`](https://www.npmjs.com/package/@portico/adapter-lambda)),
deployed by the CDK app in [\`cdk/\`](cdk/stack.ts).

Needs **Node.js ${NODE_MINIMUM} or newer** locally (it runs the TypeScript files as they are, with Node's type
stripping, the CDK app included); the function runs on Lambda's \`nodejs24.x\`. Deploying needs AWS
credentials and a [bootstrapped](https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping.html)
account and region (\`${dlx(pm, "aws-cdk@2 bootstrap")}\`, once).

${toolsReadme()}

${lambdaReadme(options, run)}

## Build and deploy

\`\`\`sh
${run("build")}     # type-check, bundle dist/handler.mjs, synthesize cdk.out/ (no AWS access needed)
${run("deploy")}    # the build, then cdk deploy (the CDK CLI through ${dlx(pm, "aws-cdk@2")})
\`\`\`

The stack's output \`McpUrl\` is the MCP endpoint. With the default \`FunctionUrlAuthType=AWS_IAM\`,
clients must sign requests with SigV4; \`--parameters FunctionUrlAuthType=NONE\` makes the URL public
(then put authentication in front of your tools, e.g. \`@portico/auth\`).
`;
}

/** Every file of a Lambda project deployed with the CDK. */
export function lambdaCdkProject(options: ProjectOptions, version: string): ProjectFiles {
  const pm = options.packageManager;
  return {
    "package.json": packageJson(options, version, {
      scripts: {
        dev: "portico-lambda-dev src/handler.ts --export streamHandler",
        build: `tsc -p . && ${BUNDLE} && node cdk/app.ts`,
        synth: "node cdk/app.ts",
        typecheck: "tsc -p .",
        test: 'node --test "test/*.test.ts"',
        deploy: `${runScript(pm, "build")} && ${execTool(pm, "aws-cdk@2 deploy --app cdk.out")}`,
      },
      portico: lambdaPortico(options),
      tools: ["esbuild", "aws-cdk-lib", "constructs"],
    }),
    "tsconfig.json": tsconfig({ include: ["src", "test", "cdk"] }),
    "cdk.json": `${JSON.stringify({ app: "node cdk/app.ts", output: "cdk.out" }, null, 2)}\n`,
    ".gitignore": gitignore(["cdk.out/"]),
    "README.md": readme(options),
    "cdk/app.ts": appModule(options),
    "cdk/stack.ts": stackModule(options),
    ...lambdaSources(options),
  };
}
