import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  EXPECTED,
  expectInvokeSelfGrant,
  hasWildcard,
  invokeSelfStatement,
  type Json,
  OAUTH_PARAMETERS,
  policyStatements,
  resourcesOfType,
  sortedActions,
  statementBySid,
  synthCdk,
  TABLE_PROPERTIES,
} from "./_templates.ts";

let synth: ReturnType<typeof synthCdk>;
beforeAll(() => {
  synth = synthCdk();
});

const RESERVED = {
  "Fn::If": ["HasReservedConcurrency", { Ref: "ReservedConcurrency" }, { Ref: "AWS::NoValue" }],
};

describe("the CDK stack", () => {
  it("has two arm64 functions on the newest Node runtime, sharing one bundle and one role", () => {
    const functions = resourcesOfType(synth.json, "AWS::Lambda::Function");
    expect(functions.map(([id]) => id).toSorted()).toEqual(["HttpApiFunction", "StreamFunction"]);
    for (const [id, handler] of [
      ["StreamFunction", EXPECTED.streamHandler],
      ["HttpApiFunction", EXPECTED.bufferedHandler],
    ] as const) {
      expect(synth.json.Resources[id].Properties).toMatchObject({
        Runtime: EXPECTED.runtime,
        Architectures: EXPECTED.architectures,
        Handler: handler,
        ReservedConcurrentExecutions: RESERVED,
        Role: { "Fn::GetAtt": ["FunctionRole", "Arn"] },
        Environment: {
          Variables: { TABLE_NAME: { Ref: "Table" }, SECRET_ARN: { Ref: "RequestStateSecret" } },
        },
      });
    }
    const code = functions.map(([, f]) => JSON.stringify(f.Properties.Code));
    expect(new Set(code).size).toBe(1);
  });

  it("makes reserved concurrency a parameter with a default, -1 meaning none", () => {
    expect(synth.json.Parameters.ReservedConcurrency).toMatchObject({
      Type: "Number",
      Default: 10,
      MinValue: -1,
    });
    expect(synth.json.Conditions.HasReservedConcurrency).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "ReservedConcurrency" }, "-1"] }],
    });
  });

  it("puts a RESPONSE_STREAM Function URL on the streaming function, AWS_IAM unless NONE is chosen", () => {
    synth.template.resourceCountIs("AWS::Lambda::Url", 1);
    synth.template.hasResourceProperties("AWS::Lambda::Url", {
      TargetFunctionArn: { "Fn::GetAtt": ["StreamFunction", "Arn"] },
      InvokeMode: "RESPONSE_STREAM",
      AuthType: { Ref: "FunctionUrlAuthType" },
    });
    expect(synth.json.Parameters.FunctionUrlAuthType).toMatchObject({
      Default: "AWS_IAM",
      AllowedValues: ["AWS_IAM", "NONE"],
    });
    // The public grants exist only under the NONE condition.
    const publicGrants = resourcesOfType(synth.json, "AWS::Lambda::Permission").filter(
      ([, p]) => p.Properties.Principal === "*",
    );
    expect(publicGrants.map(([, p]) => [p.Properties.Action, p.Condition]).toSorted()).toEqual([
      ["lambda:InvokeFunction", "PublicFunctionUrl"],
      ["lambda:InvokeFunctionUrl", "PublicFunctionUrl"],
    ]);
  });

  it("passes the optional OAuth settings through as parameters, empty (off) by default", () => {
    for (const [parameter, variable] of OAUTH_PARAMETERS) {
      expect(synth.json.Parameters[parameter]).toMatchObject({ Type: "String", Default: "" });
      for (const id of ["StreamFunction", "HttpApiFunction"]) {
        expect(synth.json.Resources[id].Properties.Environment.Variables[variable]).toEqual({
          Ref: parameter,
        });
      }
    }
  });

  it("routes ANY /mcp and GET of its OAuth metadata on an HTTP API to the buffered function", () => {
    synth.template.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    synth.template.resourceCountIs("AWS::ApiGatewayV2::Route", 2);
    synth.template.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "ANY /mcp" });
    synth.template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: "GET /.well-known/oauth-protected-resource/mcp",
    });
    synth.template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      IntegrationUri: { "Fn::GetAtt": ["HttpApiFunction", "Arn"] },
      PayloadFormatVersion: "2.0",
    });
    synth.template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
    });
  });

  it("creates the table: on-demand, pk/sk strings, TTL on `ttl`", () => {
    synth.template.resourceCountIs("AWS::DynamoDB::Table", 1);
    expect(synth.json.Resources.Table.Properties).toEqual(TABLE_PROPERTIES);
  });

  it("generates the requestState secret in Secrets Manager", () => {
    synth.template.resourceCountIs("AWS::SecretsManager::Secret", 1);
    synth.template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: {
        PasswordLength: 64,
        ExcludePunctuation: true,
        SecretStringTemplate: Match.absent(),
      },
    });
  });

  it("grants exactly the store's DynamoDB actions on the table, the secret read, the log writes, self-invocation; no wildcards", () => {
    const statements = policyStatements(synth.json);
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
    const table = statementBySid(synth.json, "UseStoreTable");
    expect(sortedActions(table)).toEqual(EXPECTED.dynamoDbActions);
    expect(table.Resource).toEqual({ "Fn::GetAtt": ["Table", "Arn"] });
    const secret = statementBySid(synth.json, "ReadRequestStateSecret");
    expect(sortedActions(secret)).toEqual(EXPECTED.secretActions);
    expect(secret.Resource).toEqual({ Ref: "RequestStateSecret" });
    const logs = statementBySid(synth.json, "WriteOwnLogs");
    expect(sortedActions(logs)).toEqual(EXPECTED.logActions);
    expect(logs.Resource).toEqual([
      { "Fn::GetAtt": ["StreamFunctionLogGroup", "Arn"] },
      { "Fn::GetAtt": ["HttpApiFunctionLogGroup", "Arn"] },
    ]);
  });

  it("lets the functions invoke themselves (task runs): a policy of its own on the role, both ARNs, no wildcard", () => {
    expectInvokeSelfGrant(synth.json);
    expect(sortedActions(invokeSelfStatement(synth.json))).toEqual(EXPECTED.invokeActions);
  });

  it("gives the role no managed policies and only Lambda as its principal", () => {
    const roles = resourcesOfType(synth.json, "AWS::IAM::Role");
    expect(roles).toHaveLength(1);
    const [, role] = roles[0] as [string, Json];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } },
    ]);
  });

  it("outputs both MCP URLs", () => {
    expect(synth.json.Outputs.StreamingMcpUrl.Value).toEqual({
      "Fn::Join": ["", [{ "Fn::GetAtt": ["StreamFunctionUrl", "FunctionUrl"] }, "mcp"]],
    });
    expect(synth.json.Outputs.HttpApiMcpUrl.Value).toEqual({
      "Fn::Join": ["", [{ "Fn::GetAtt": ["HttpApi", "ApiEndpoint"] }, "/mcp"]],
    });
  });
});
