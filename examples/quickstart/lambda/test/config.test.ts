import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config.ts";

const ENV = {
  TABLE_NAME: "PorticoQuickstartLambda-Table-1ABC",
  SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:RequestStateSecret-AbCdEf",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "ASIAEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret-key",
  AWS_SESSION_TOKEN: "session-token",
};

describe("readConfig", () => {
  it("reads what the template and the Lambda runtime set", () => {
    expect(readConfig(ENV)).toEqual({
      tableName: ENV.TABLE_NAME,
      secretArn: ENV.SECRET_ARN,
      region: "eu-west-1",
      credentials: {
        accessKeyId: "ASIAEXAMPLE",
        secretAccessKey: "secret-key",
        sessionToken: "session-token",
      },
      allowedHosts: [],
      allowedOrigins: [],
      service: "portico-quickstart",
      logLevel: "info",
      metrics: true,
    });
  });

  it("writes EMF metrics unless METRICS is off", () => {
    expect(readConfig({ ...ENV, METRICS: "" }).metrics).toBe(true);
    expect(readConfig({ ...ENV, METRICS: "ON" }).metrics).toBe(true);
    expect(readConfig({ ...ENV, METRICS: " off" }).metrics).toBe(false);
    expect(() => readConfig({ ...ENV, METRICS: "no" })).toThrow('METRICS must be "on" or "off", not "no"');
  });

  it("names its logs and metrics after the function, at LOG_LEVEL", () => {
    const config = readConfig({ ...ENV, AWS_LAMBDA_FUNCTION_NAME: "mcp-prod", LOG_LEVEL: " WARN " });
    expect(config.service).toBe("mcp-prod");
    expect(config.logLevel).toBe("warn");
    expect(readConfig({ ...ENV, LOG_LEVEL: "" }).logLevel).toBe("info");
    expect(() => readConfig({ ...ENV, LOG_LEVEL: "verbose" })).toThrow(
      'LOG_LEVEL: a log level must be one of debug, info, warn, error, silent; got "verbose"',
    );
  });

  it("names every missing variable in one error", () => {
    expect(() => readConfig({ AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "a" })).toThrow(
      /Missing environment variable\(s\): TABLE_NAME, SECRET_ARN, AWS_SECRET_ACCESS_KEY\./,
    );
  });

  it("splits ALLOWED_HOSTS and ALLOWED_ORIGINS", () => {
    const config = readConfig({
      ...ENV,
      ALLOWED_HOSTS: " mcp.example.com ,, api.example.com",
      ALLOWED_ORIGINS: "https://app.example",
    });
    expect(config.allowedHosts).toEqual(["mcp.example.com", "api.example.com"]);
    expect(config.allowedOrigins).toEqual(["https://app.example"]);
  });

  it("takes the AWS SDKs' endpoint overrides, service-specific first", () => {
    const config = readConfig({
      ...ENV,
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000",
    });
    expect(config.secretsManagerEndpoint).toBe("http://127.0.0.1:4566");
    expect(config.dynamoDbEndpoint).toBe("http://127.0.0.1:8000");
  });

  it("leaves out an empty session token", () => {
    expect(readConfig({ ...ENV, AWS_SESSION_TOKEN: "" }).credentials).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret-key",
    });
  });

  it("turns OAuth on with OAUTH_ISSUER, which then needs MCP_RESOURCE; empty values count as unset", () => {
    expect(
      readConfig({ ...ENV, OAUTH_ISSUER: "", MCP_RESOURCE: "", OAUTH_JWKS_URL: "" }).oauth,
    ).toBeUndefined();
    expect(() => readConfig({ ...ENV, OAUTH_ISSUER: "https://issuer.example", MCP_RESOURCE: "" })).toThrow(
      /Missing environment variable\(s\): MCP_RESOURCE\..*required with OAUTH_ISSUER/,
    );
    const resource = "https://abc.lambda-url.eu-west-1.on.aws/mcp";
    expect(
      readConfig({ ...ENV, OAUTH_ISSUER: "https://issuer.example", MCP_RESOURCE: resource }).oauth,
    ).toEqual({
      issuer: "https://issuer.example",
      resource,
    });
    const withKeys = readConfig({
      ...ENV,
      OAUTH_ISSUER: "https://issuer.example",
      MCP_RESOURCE: resource,
      OAUTH_JWKS_URL: "https://issuer.example/jwks.json",
    });
    expect(withKeys.oauth?.jwksUrl).toBe("https://issuer.example/jwks.json");
  });
});
