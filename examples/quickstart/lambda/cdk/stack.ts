/**
 * The CDK twin of `template.yaml`: the same resources under the same logical ids. `Code.fromAsset`
 * points at the pre-built bundle directory, so synthesis needs no Docker, network or credentials.
 */
import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  type CfnResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
} from "aws-cdk-lib";
import { HttpApi, HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";
import { Policy, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
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
import { DYNAMODB_ACTIONS, INVOKE_ACTIONS, LOG_ACTIONS, SECRET_ACTIONS } from "./_permissions.ts";

export interface QuickstartLambdaStackProps extends StackProps {
  /** The directory holding `handler.mjs` (`pnpm run build` writes `dist/`). */
  codeDirectory: string;
}

/** Keeps a construct's CloudFormation logical id equal to the SAM template's. */
function logicalId(construct: Construct, id: string): void {
  (construct.node.defaultChild as CfnResource).overrideLogicalId(id);
}

export class QuickstartLambdaStack extends Stack {
  constructor(scope: Construct, id: string, props: QuickstartLambdaStackProps) {
    super(scope, id, props);

    const reservedConcurrency = new CfnParameter(this, "ReservedConcurrency", {
      type: "Number",
      default: 10,
      minValue: -1,
      description:
        "Reserved concurrent executions of EACH function (caps cost and protects the table); -1 reserves none.",
    });
    const urlAuthType = new CfnParameter(this, "FunctionUrlAuthType", {
      type: "String",
      default: "AWS_IAM",
      allowedValues: ["AWS_IAM", "NONE"],
      description: "AWS_IAM: callers sign with SigV4. NONE: a public URL (add authentication in the app).",
    });
    // OAuth (see src/auth.ts): empty defaults leave it off.
    const oauthIssuer = new CfnParameter(this, "OAuthIssuer", {
      type: "String",
      default: "",
      description:
        "OAUTH_ISSUER: your authorization server's issuer URL; set, the MCP server requires OAuth bearer tokens. Empty: no OAuth.",
    });
    const mcpResource = new CfnParameter(this, "McpResource", {
      type: "String",
      default: "",
      description:
        "MCP_RESOURCE (required with OAuthIssuer): the MCP endpoint clients use, e.g. the StreamingMcpUrl output; the tokens' audience.",
    });
    const oauthJwksUrl = new CfnParameter(this, "OAuthJwksUrl", {
      type: "String",
      default: "",
      description:
        "OAUTH_JWKS_URL (optional): the issuer's key set URL. Empty: found through the issuer's metadata.",
    });
    const logLevel = new CfnParameter(this, "LogLevel", {
      type: "String",
      default: "info",
      allowedValues: ["debug", "info", "warn", "error", "silent"],
      description:
        "LOG_LEVEL: the lowest level of the functions' JSON log lines (one per request at info). EMF metrics are written at every level.",
    });
    const metrics = new CfnParameter(this, "Metrics", {
      type: "String",
      default: "on",
      allowedValues: ["on", "off"],
      description:
        "METRICS: CloudWatch EMF metrics beside the log lines (custom metrics, billed per metric for each hour they are sent), or off.",
    });
    const hasReservedConcurrency = new CfnCondition(this, "HasReservedConcurrency", {
      expression: Fn.conditionNot(Fn.conditionEquals(reservedConcurrency.valueAsString, "-1")),
    });
    const publicFunctionUrl = new CfnCondition(this, "PublicFunctionUrl", {
      expression: Fn.conditionEquals(urlAuthType.valueAsString, "NONE"),
    });

    const table = new Table(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: "ttl",
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logicalId(table, "Table");

    const secret = new Secret(this, "RequestStateSecret", {
      description: "HMAC key sealing Portico's MRTR requestState (shared by every instance)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logicalId(secret, "RequestStateSecret");

    const logGroup = (id: string) => {
      const group = new LogGroup(this, id, {
        retention: RetentionDays.TWO_WEEKS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      logicalId(group, id);
      return group;
    };
    const streamLogs = logGroup("StreamFunctionLogGroup");
    const httpLogs = logGroup("HttpApiFunctionLogGroup");

    const role = new Role(this, "FunctionRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description:
        "Portico quickstart functions: their log groups, their table, their secret, invoking themselves; nothing else",
    });
    logicalId(role, "FunctionRole");
    role.addToPolicy(
      new PolicyStatement({
        sid: "WriteOwnLogs",
        actions: [...LOG_ACTIONS],
        resources: [streamLogs.logGroupArn, httpLogs.logGroupArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: "UseStoreTable",
        actions: [...DYNAMODB_ACTIONS],
        resources: [table.tableArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: "ReadRequestStateSecret",
        actions: [...SECRET_ACTIONS],
        resources: [secret.secretArn],
      }),
    );

    const code = Code.fromAsset(props.codeDirectory);
    const reserved = Token.asNumber(
      Fn.conditionIf(hasReservedConcurrency.logicalId, reservedConcurrency.valueAsNumber, Aws.NO_VALUE),
    );
    const fn = (id: string, handler: string, timeout: Duration, logs: LogGroup, description: string) => {
      const f = new LambdaFunction(this, id, {
        description,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout,
        code,
        handler,
        role,
        logGroup: logs,
        reservedConcurrentExecutions: reserved,
        environment: {
          TABLE_NAME: table.tableName,
          SECRET_ARN: secret.secretArn,
          OAUTH_ISSUER: oauthIssuer.valueAsString,
          MCP_RESOURCE: mcpResource.valueAsString,
          OAUTH_JWKS_URL: oauthJwksUrl.valueAsString,
          LOG_LEVEL: logLevel.valueAsString,
          METRICS: metrics.valueAsString,
        },
      });
      logicalId(f, id);
      return f;
    };

    // A task created through the Function URL runs in invocations of this function: 5 minutes each.
    const streamFunction = fn(
      "StreamFunction",
      "handler.streamHandler",
      Duration.minutes(5),
      streamLogs,
      "Portico quickstart MCP server: Function URL, response streaming",
    );
    const url = new FunctionUrl(this, "StreamFunctionUrl", {
      function: streamFunction,
      authType: urlAuthType.valueAsString as FunctionUrlAuthType,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
    logicalId(url, "StreamFunctionUrl");
    // A public (NONE) URL needs both grants since October 2025; only created when NONE is chosen.
    const publicUrlAccess = new CfnPermission(this, "StreamFunctionUrlPublicAccess", {
      functionName: streamFunction.functionName,
      action: "lambda:InvokeFunctionUrl",
      principal: "*",
      functionUrlAuthType: "NONE",
    });
    const publicInvoke = new CfnPermission(this, "StreamFunctionPublicInvoke", {
      functionName: streamFunction.functionName,
      action: "lambda:InvokeFunction",
      principal: "*",
      invokedViaFunctionUrl: true,
    });
    publicUrlAccess.cfnOptions.condition = publicFunctionUrl;
    publicInvoke.cfnOptions.condition = publicFunctionUrl;

    // A task created through the HTTP API runs in invocations of this function too: 29 s each. The
    // report saves a checkpoint per section and the next invocation resumes from it.
    const httpFunction = fn(
      "HttpApiFunction",
      "handler.handler",
      Duration.seconds(29),
      httpLogs,
      "Portico quickstart MCP server: HTTP API, buffered",
    );

    // Tasks: each run is an asynchronous invocation of the function that created the task
    // (`invokeSelf()`). A policy of its own, as in template.yaml: on the role's default policy the
    // statement would make a cycle (the functions depend on their role's policies).
    const invokeSelf = new Policy(this, "InvokeSelfPolicy", {
      policyName: "portico-quickstart-invoke-self",
      roles: [role],
      statements: [
        new PolicyStatement({
          sid: "InvokeOwnFunctions",
          actions: [...INVOKE_ACTIONS],
          resources: [streamFunction.functionArn, httpFunction.functionArn],
        }),
      ],
    });
    logicalId(invokeSelf, "InvokeSelfPolicy");

    const api = new HttpApi(this, "HttpApi", {
      apiName: `${Aws.STACK_NAME}-mcp`,
      description: "Portico quickstart MCP server",
    });
    logicalId(api, "HttpApi");
    const integration = new HttpLambdaIntegration("McpIntegration", httpFunction);
    api.addRoutes({ path: "/mcp", methods: [HttpMethod.ANY], integration });
    // With OAuth, the Protected Resource Metadata (without OAuth the app answers it 404).
    api.addRoutes({
      path: "/.well-known/oauth-protected-resource/mcp",
      methods: [HttpMethod.GET],
      integration,
    });

    new CfnOutput(this, "StreamingMcpUrl", {
      description: "MCP endpoint on the Function URL (response streaming)",
      value: `${url.url}mcp`,
    });
    new CfnOutput(this, "HttpApiMcpUrl", {
      description: "MCP endpoint on the HTTP API (buffered)",
      value: `${api.apiEndpoint}/mcp`,
    });
    new CfnOutput(this, "TableName", { value: table.tableName });
    new CfnOutput(this, "RequestStateSecretArn", { value: secret.secretArn });
  }
}
