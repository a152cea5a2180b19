/** The AWS Lambda project deployed by a SAM template (`template.yaml`). */
import type { ProjectOptions } from "../options.ts";
import {
  gitignore,
  NODE_MINIMUM,
  type ProjectFiles,
  packageJson,
  runScript,
  toolsReadme,
  tsconfig,
} from "./common.ts";
import { BUNDLE, lambdaPortico, lambdaReadme, lambdaSources } from "./lambda.ts";

function template(options: ProjectOptions): string {
  const dynamodb = options.stores === "dynamodb";
  const table = `
  # Legacy-era sessions, event logs and pending replies, and the bus; every item expires through \`ttl\`.
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
        - AttributeName: sk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
        - AttributeName: sk
          KeyType: RANGE
      TimeToLiveSpecification:
        AttributeName: ttl
        Enabled: true
`;
  const tableStatement = `
              - Sid: UseStoreTable
                Effect: Allow
                Action:
                  - dynamodb:GetItem
                  - dynamodb:PutItem
                  - dynamodb:UpdateItem
                  - dynamodb:DeleteItem
                  - dynamodb:Query
                  - dynamodb:BatchWriteItem
                Resource: !GetAtt Table.Arn`;
  return `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: >-
  ${options.name}: an MCP server on AWS Lambda behind a streaming Function URL (Portico).
  Build first (\`npm run build\` writes dist/handler.mjs), then \`sam deploy --guided\`.

Parameters:
  FunctionUrlAuthType:
    Type: String
    Default: AWS_IAM
    AllowedValues: [AWS_IAM, NONE]
    Description: "AWS_IAM: callers sign with SigV4. NONE: a public URL (add authentication in the app)."
  AllowedHosts:
    Type: String
    Default: ""
    Description: "Comma-separated host names the MCP endpoint answers besides the Function URL's own (e.g. a custom domain)."

Conditions:
  PublicFunctionUrl: !Equals [!Ref FunctionUrlAuthType, NONE]

Resources:${dynamodb ? table : ""}
  # The HMAC key sealing the 2026-07-28 era's requestState, generated here; read by the function at cold start.
  RequestStateSecret:
    Type: AWS::SecretsManager::Secret
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      Description: HMAC key sealing Portico's requestState (shared by every instance)
      GenerateSecretString:
        PasswordLength: 64
        ExcludePunctuation: true

  McpFunctionLogGroup:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      RetentionInDays: 14

  # The function's own log group${dynamodb ? ", the table" : ""} and the secret; no wildcard resources.
  McpFunctionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: mcp-function
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: WriteOwnLogs
                Effect: Allow
                Action:
                  - logs:CreateLogStream
                  - logs:PutLogEvents
                Resource: !GetAtt McpFunctionLogGroup.Arn${dynamodb ? tableStatement : ""}
              - Sid: ReadRequestStateSecret
                Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: !Ref RequestStateSecret

  McpFunction:
    Type: AWS::Serverless::Function
    Properties:
      Description: "${options.name}: MCP server, response streaming"
      CodeUri: dist/
      Handler: handler.streamHandler
      Runtime: nodejs24.x
      Architectures: [arm64]
      MemorySize: 512
      Timeout: 300
      Role: !GetAtt McpFunctionRole.Arn
      LoggingConfig:
        LogGroup: !Ref McpFunctionLogGroup
      Environment:
        Variables:${dynamodb ? "\n          TABLE_NAME: !Ref Table" : ""}
          SECRET_ARN: !Ref RequestStateSecret
          ALLOWED_HOSTS: !Ref AllowedHosts

  # Response streaming: SSE reaches the client as it is written (up to the timeout).
  McpFunctionUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt McpFunction.Arn
      AuthType: !Ref FunctionUrlAuthType
      InvokeMode: RESPONSE_STREAM

  # A public (NONE) URL needs both grants; created only when NONE is chosen.
  McpFunctionUrlPublicAccess:
    Type: AWS::Lambda::Permission
    Condition: PublicFunctionUrl
    Properties:
      FunctionName: !Ref McpFunction
      Action: lambda:InvokeFunctionUrl
      Principal: "*"
      FunctionUrlAuthType: NONE

  McpFunctionPublicInvoke:
    Type: AWS::Lambda::Permission
    Condition: PublicFunctionUrl
    Properties:
      FunctionName: !Ref McpFunction
      Action: lambda:InvokeFunction
      Principal: "*"
      InvokedViaFunctionUrl: true

Outputs:
  McpUrl:
    Description: The MCP endpoint (Function URL, response streaming)
    Value: !Sub "\${McpFunctionUrl.FunctionUrl}mcp"
`;
}

function readme(options: ProjectOptions): string {
  const pm = options.packageManager;
  const run = (script: string) => runScript(pm, script);
  return `# ${options.name}

An [MCP](https://modelcontextprotocol.io) server built with [Portico](https://www.npmjs.com/package/@portico/core)
on AWS Lambda ([\`@portico/adapter-lambda\`](https://www.npmjs.com/package/@portico/adapter-lambda)),
deployed by the SAM template [\`template.yaml\`](template.yaml).

Needs **Node.js ${NODE_MINIMUM} or newer** locally (it runs the TypeScript files as they are, with Node's type
stripping); the function runs on Lambda's \`nodejs24.x\`. Deploying needs the
[AWS SAM CLI](https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html)
and AWS credentials.

${toolsReadme()}

${lambdaReadme(options, run)}

## Deploy

\`\`\`sh
${run("deploy")}    # ${run("build")}, then sam deploy --guided (asks for a stack name and region once, saves samconfig.toml)
\`\`\`

The stack's output \`McpUrl\` is the MCP endpoint. With the default \`FunctionUrlAuthType=AWS_IAM\`,
clients must sign requests with SigV4; \`--parameter-overrides FunctionUrlAuthType=NONE\` makes the URL
public (then put authentication in front of your tools, e.g. \`@portico/auth\`).
`;
}

/** Every file of a Lambda project deployed with SAM. */
export function lambdaSamProject(options: ProjectOptions, version: string): ProjectFiles {
  const pm = options.packageManager;
  return {
    "package.json": packageJson(options, version, {
      scripts: {
        dev: "portico-lambda-dev src/handler.ts --export streamHandler",
        build: `tsc -p . && ${BUNDLE}`,
        typecheck: "tsc -p .",
        test: 'node --test "test/*.test.ts"',
        deploy: `${runScript(pm, "build")} && sam deploy --guided`,
      },
      portico: lambdaPortico(options),
      tools: ["esbuild"],
    }),
    "tsconfig.json": tsconfig({ include: ["src", "test"] }),
    ".gitignore": gitignore([".aws-sam/"]),
    "README.md": readme(options),
    "template.yaml": template(options),
    ...lambdaSources(options),
  };
}
