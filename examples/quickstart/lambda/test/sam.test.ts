import { describe, expect, it } from "vitest";
import {
  EXPECTED,
  expectInvokeSelfGrant,
  hasWildcard,
  invokeSelfStatement,
  type Json,
  loadSamTemplate,
  OAUTH_PARAMETERS,
  policyStatements,
  resourcesOfType,
  samFunction,
  sortedActions,
  statementBySid,
  TABLE_PROPERTIES,
} from "./_templates.ts";

const sam = loadSamTemplate();

describe("template.yaml", () => {
  it("is a SAM template", () => {
    expect(sam.Transform).toBe("AWS::Serverless-2016-10-31");
  });

  it("has two arm64 functions on the newest Node runtime, sharing the bundle and one role", () => {
    const functions = resourcesOfType(sam, "AWS::Serverless::Function");
    expect(functions.map(([id]) => id).toSorted()).toEqual(["HttpApiFunction", "StreamFunction"]);
    for (const [id, handler] of [
      ["StreamFunction", EXPECTED.streamHandler],
      ["HttpApiFunction", EXPECTED.bufferedHandler],
    ] as const) {
      expect(samFunction(sam, id)).toMatchObject({
        Runtime: EXPECTED.runtime,
        Architectures: EXPECTED.architectures,
        CodeUri: "dist/",
        Handler: handler,
        Role: { "Fn::GetAtt": ["FunctionRole", "Arn"] },
        ReservedConcurrentExecutions: {
          "Fn::If": ["HasReservedConcurrency", { Ref: "ReservedConcurrency" }, { Ref: "AWS::NoValue" }],
        },
        Environment: {
          Variables: { TABLE_NAME: { Ref: "Table" }, SECRET_ARN: { Ref: "RequestStateSecret" } },
        },
      });
    }
    expect(sam.Parameters.ReservedConcurrency).toMatchObject({ Type: "Number", Default: 10, MinValue: -1 });
    expect(sam.Conditions.HasReservedConcurrency).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "ReservedConcurrency" }, "-1"] }],
    });
  });

  it("puts a RESPONSE_STREAM Function URL on the streaming function, AWS_IAM unless NONE is chosen", () => {
    const urls = resourcesOfType(sam, "AWS::Lambda::Url");
    expect(urls).toHaveLength(1);
    expect((urls[0] as [string, Json])[1].Properties).toEqual({
      TargetFunctionArn: { "Fn::GetAtt": ["StreamFunction", "Arn"] },
      AuthType: { Ref: "FunctionUrlAuthType" },
      InvokeMode: "RESPONSE_STREAM",
    });
    expect(samFunction(sam, "StreamFunction").FunctionUrlConfig).toBeUndefined();
    expect(sam.Parameters.FunctionUrlAuthType).toMatchObject({
      Default: "AWS_IAM",
      AllowedValues: ["AWS_IAM", "NONE"],
    });
    expect(sam.Conditions.PublicFunctionUrl).toEqual({
      "Fn::Equals": [{ Ref: "FunctionUrlAuthType" }, "NONE"],
    });
    const grants = resourcesOfType(sam, "AWS::Lambda::Permission").map(([, p]) => p);
    expect(grants).toEqual([
      {
        Type: "AWS::Lambda::Permission",
        Condition: "PublicFunctionUrl",
        Properties: {
          FunctionName: { Ref: "StreamFunction" },
          Action: "lambda:InvokeFunctionUrl",
          Principal: "*",
          FunctionUrlAuthType: "NONE",
        },
      },
      {
        Type: "AWS::Lambda::Permission",
        Condition: "PublicFunctionUrl",
        Properties: {
          FunctionName: { Ref: "StreamFunction" },
          Action: "lambda:InvokeFunction",
          Principal: "*",
          InvokedViaFunctionUrl: true,
        },
      },
    ]);
  });

  it("routes ANY /mcp and GET of its OAuth metadata on the HTTP API to the buffered function only", () => {
    expect(samFunction(sam, "HttpApiFunction").Events).toEqual({
      Mcp: { Type: "HttpApi", Properties: { Path: "/mcp", Method: "ANY" } },
      Metadata: {
        Type: "HttpApi",
        Properties: { Path: "/.well-known/oauth-protected-resource/mcp", Method: "GET" },
      },
    });
    expect(samFunction(sam, "StreamFunction").Events).toBeUndefined();
  });

  it("passes the optional OAuth settings through as parameters, empty (off) by default", () => {
    for (const [parameter, variable] of OAUTH_PARAMETERS) {
      expect(sam.Parameters[parameter]).toMatchObject({ Type: "String", Default: "" });
      for (const id of ["StreamFunction", "HttpApiFunction"]) {
        expect(samFunction(sam, id).Environment.Variables[variable]).toEqual({ Ref: parameter });
      }
    }
  });

  it("creates the table: on-demand, pk/sk strings, TTL on `ttl`", () => {
    const tables = resourcesOfType(sam, "AWS::DynamoDB::Table");
    expect(tables.map(([id]) => id)).toEqual(["Table"]);
    expect(sam.Resources.Table.Properties).toEqual(TABLE_PROPERTIES);
  });

  it("generates the requestState secret in Secrets Manager, never in the template", () => {
    expect(resourcesOfType(sam, "AWS::SecretsManager::Secret").map(([id]) => id)).toEqual([
      "RequestStateSecret",
    ]);
    expect(sam.Resources.RequestStateSecret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(sam.Resources.RequestStateSecret.Properties.SecretString).toBeUndefined();
    expect(JSON.stringify(sam)).not.toContain("{{resolve:");
  });

  it("grants exactly the store's DynamoDB actions on the table, the secret read, the log writes, self-invocation; no wildcards", () => {
    const statements = policyStatements(sam);
    expect(statements.map((s: Json) => s.Sid).toSorted()).toEqual([
      "InvokeOwnFunctions",
      "ReadRequestStateSecret",
      "UseStoreTable",
      "WriteOwnLogs",
    ]);
    for (const s of statements) {
      expect(s.Effect).toBe("Allow");
      expect(hasWildcard(s.Resource)).toBe(false);
      expect(hasWildcard(s.Action)).toBe(false);
    }
    const table = statementBySid(sam, "UseStoreTable");
    expect(sortedActions(table)).toEqual(EXPECTED.dynamoDbActions);
    expect(table.Resource).toEqual({ "Fn::GetAtt": ["Table", "Arn"] });
    const secret = statementBySid(sam, "ReadRequestStateSecret");
    expect(sortedActions(secret)).toEqual(EXPECTED.secretActions);
    expect(secret.Resource).toEqual({ Ref: "RequestStateSecret" });
    const logs = statementBySid(sam, "WriteOwnLogs");
    expect(sortedActions(logs)).toEqual(EXPECTED.logActions);
    expect(logs.Resource).toEqual([
      { "Fn::GetAtt": ["StreamFunctionLogGroup", "Arn"] },
      { "Fn::GetAtt": ["HttpApiFunctionLogGroup", "Arn"] },
    ]);
    // No SAM policy templates or managed policies sneaking in broader grants.
    for (const [id] of resourcesOfType(sam, "AWS::Serverless::Function")) {
      expect(samFunction(sam, id).Policies).toBeUndefined();
    }
    expect(sam.Resources.FunctionRole.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("lets the functions invoke themselves (task runs): a policy of its own on the role, both ARNs, no wildcard", () => {
    expectInvokeSelfGrant(sam);
    expect(sortedActions(invokeSelfStatement(sam))).toEqual(EXPECTED.invokeActions);
  });

  it("outputs both MCP URLs", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders
    expect(sam.Outputs.StreamingMcpUrl.Value).toEqual({ "Fn::Sub": "${StreamFunctionUrl.FunctionUrl}mcp" });
    expect(sam.Outputs.HttpApiMcpUrl.Value).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders
      "Fn::Sub": "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/mcp",
    });
  });
});
