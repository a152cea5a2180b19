/**
 * template.yaml and the CDK stack describe the same deployment: their essentials must be equal.
 */
import { TTL_ATTRIBUTE, tableDefinition } from "@portico/store-dynamodb";
import { describe, expect, it } from "vitest";
import {
  asList,
  INVOKE_SELF,
  type Json,
  loadSamTemplate,
  OAUTH_PARAMETERS,
  policyStatements,
  resourcesOfType,
  samFunction,
  synthCdk,
} from "./_templates.ts";

const FUNCTION_IDS = ["StreamFunction", "HttpApiFunction"];

function functionEssentials(properties: Json): Json {
  return {
    Runtime: properties.Runtime,
    Architectures: properties.Architectures,
    Handler: properties.Handler,
    MemorySize: properties.MemorySize,
    Timeout: properties.Timeout,
    ReservedConcurrentExecutions: properties.ReservedConcurrentExecutions,
    Role: properties.Role,
    LoggingConfig: properties.LoggingConfig,
    Environment: properties.Environment,
  };
}

function sharedEssentials(template: Json): Json {
  const statements = policyStatements(template).map((s: Json) => ({
    Sid: s.Sid,
    Effect: s.Effect,
    Action: asList<string>(s.Action).toSorted(),
    Resource: asList(s.Resource),
  }));
  const grants = resourcesOfType(template, "AWS::Lambda::Permission")
    .filter(([, p]) => p.Properties.Principal === "*")
    .map(([id, p]) => ({ id, Condition: p.Condition, ...p.Properties }));
  const logGroups = resourcesOfType(template, "AWS::Logs::LogGroup").map(([id, g]) => [id, g.Properties]);
  return {
    parameters: {
      ReservedConcurrency: pick(template.Parameters.ReservedConcurrency, ["Type", "Default", "MinValue"]),
      FunctionUrlAuthType: pick(template.Parameters.FunctionUrlAuthType, [
        "Type",
        "Default",
        "AllowedValues",
      ]),
      ...Object.fromEntries(
        OAUTH_PARAMETERS.map(([name]) => [name, pick(template.Parameters[name], ["Type", "Default"])]),
      ),
    },
    conditions: template.Conditions,
    table: template.Resources.Table.Properties,
    secret: template.Resources.RequestStateSecret.Properties.GenerateSecretString,
    functionUrl: resourcesOfType(template, "AWS::Lambda::Url").map(([id, u]) => [id, u.Properties]),
    publicGrants: grants.toSorted((a, b) => a.id.localeCompare(b.id)),
    statements: statements.toSorted((a: Json, b: Json) => a.Sid.localeCompare(b.Sid)),
    // The task runs' grant is a policy resource of its own in both (not the role's inline or default
    // policy): the same logical id, name, role and document.
    invokeSelf: template.Resources[INVOKE_SELF.policyId]?.Properties,
    logGroups: logGroups.toSorted(),
    outputs: Object.keys(template.Outputs).toSorted(),
  };
}

function pick(object: Json, keys: string[]): Json {
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

function samEssentials(sam: Json): Json {
  const functions = Object.fromEntries(
    FUNCTION_IDS.map((id) => [id, functionEssentials(samFunction(sam, id))]),
  );
  const routes = FUNCTION_IDS.flatMap((id) =>
    Object.values(samFunction(sam, id).Events ?? {})
      .filter((event: Json) => event.Type === "HttpApi")
      .map((event: Json) => ({ route: `${event.Properties.Method} ${event.Properties.Path}`, target: id })),
  );
  return { ...sharedEssentials(sam), functions, routes };
}

function cdkEssentials(cdk: Json): Json {
  const functions = Object.fromEntries(
    FUNCTION_IDS.map((id) => [id, functionEssentials(cdk.Resources[id].Properties)]),
  );
  const integrations = Object.fromEntries(resourcesOfType(cdk, "AWS::ApiGatewayV2::Integration"));
  const routes = resourcesOfType(cdk, "AWS::ApiGatewayV2::Route").map(([, route]) => {
    const integrationId = route.Properties.Target["Fn::Join"][1][1].Ref;
    return {
      route: route.Properties.RouteKey,
      target: integrations[integrationId].Properties.IntegrationUri["Fn::GetAtt"][0],
    };
  });
  return { ...sharedEssentials(cdk), functions, routes };
}

describe("SAM and CDK", () => {
  const sam = samEssentials(loadSamTemplate());
  const cdk = cdkEssentials(synthCdk().json);

  it("agree on the functions: runtime, architecture, handlers, memory, timeouts, concurrency, role, env", () => {
    expect(sam.functions).toEqual(cdk.functions);
    expect(sam.parameters).toEqual(cdk.parameters);
    expect(sam.conditions).toEqual(cdk.conditions);
  });

  it("agree on the endpoints: Function URL invoke mode and auth, public grants, the HTTP API route", () => {
    expect(sam.functionUrl).toEqual(cdk.functionUrl);
    expect(sam.publicGrants).toEqual(cdk.publicGrants);
    expect(sam.routes).toEqual(cdk.routes);
    expect(sam.outputs).toEqual(cdk.outputs);
  });

  it("agree on the table's key schema, billing and TTL attribute, and on the secret", () => {
    expect(sam.table).toEqual(cdk.table);
    expect(sam.secret).toEqual(cdk.secret);
    expect(sam.logGroups).toEqual(cdk.logGroups);
  });

  it("agree on every IAM statement: actions and resources", () => {
    expect(sam.statements).toEqual(cdk.statements);
    expect(sam.statements.map((s: Json) => s.Sid)).toContain(INVOKE_SELF.sid);
  });

  it("agree on the policy that lets the functions invoke themselves (task runs)", () => {
    expect(sam.invokeSelf).toBeDefined();
    expect(sam.invokeSelf).toEqual(cdk.invokeSelf);
  });

  it("declare the table the store expects (its own CreateTable input and TTL attribute)", () => {
    const { TableName: _, ...layout } = tableDefinition("any");
    expect(sam.table).toEqual({
      ...layout,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });
});
