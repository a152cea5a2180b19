/**
 * readSecret: a Secrets Manager secret through one signed GetSecretValue call, against a stand-in
 * Secrets Manager on 127.0.0.1: the request it signs, its retries, its errors (which never echo the
 * value), and what it takes from the Lambda environment.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ReadSecretOptions, readSecret } from "../src/index.ts";

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A stand-in Secrets Manager on 127.0.0.1 that records each request and answers `status`/`body`. */
async function secretsManager(
  status: number,
  body: unknown,
  first: number[] = [],
): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      data += chunk;
    });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: data });
      // `first`: the statuses of the first answers (then `status`), e.g. a throttle before success.
      res.writeHead(first[seen.length - 1] ?? status, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}/`, seen };
}

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:RequestStateSecret-AbCdEf";
const CREDENTIALS = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "secret-key",
  sessionToken: "session-token",
};
const options = (endpoint: string): ReadSecretOptions => ({
  credentials: CREDENTIALS,
  endpoint,
  minLength: 32,
});

describe("readSecret", () => {
  it("sends one SigV4-signed GetSecretValue (region from the ARN) and returns the SecretString", async () => {
    const value = "x".repeat(64);
    const { endpoint, seen } = await secretsManager(200, {
      ARN,
      Name: "RequestStateSecret",
      SecretString: value,
    });
    expect(await readSecret(ARN, options(endpoint))).toBe(value);

    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.headers["x-amz-target"]).toBe("secretsmanager.GetSecretValue");
    expect(request?.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(JSON.parse(request?.body ?? "")).toEqual({ SecretId: ARN });
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=[^,]*x-amz-target[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers["x-amz-security-token"]).toBe("session-token");
  });

  it("retries a 5xx or a throttle twice, signing each attempt afresh", async () => {
    const value = "y".repeat(64);
    const { endpoint, seen } = await secretsManager(200, { SecretString: value }, [503, 429]);
    expect(await readSecret(ARN, options(endpoint))).toBe(value);
    expect(seen).toHaveLength(3);
    for (const request of seen) expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it("gives up after the retries, naming the last status", async () => {
    const { endpoint, seen } = await secretsManager(500, { __type: "InternalServiceError" });
    await expect(readSecret(ARN, options(endpoint))).rejects.toThrow(
      `GetSecretValue(${ARN}) failed: HTTP 500 InternalServiceError`,
    );
    expect(seen).toHaveLength(3);
  });

  it("fails with the AWS error type and the secret's ARN", async () => {
    const { endpoint } = await secretsManager(400, {
      __type: "ResourceNotFoundException",
      message: "Secrets Manager can't find the specified secret.",
    });
    await expect(readSecret(ARN, options(endpoint))).rejects.toThrow(
      `GetSecretValue(${ARN}) failed: HTTP 400 ResourceNotFoundException`,
    );
  });

  it("refuses a secret too short to be an HMAC key, without echoing it", async () => {
    const { endpoint } = await secretsManager(200, { SecretString: "short-value" });
    const error = await readSecret(ARN, options(endpoint)).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("at least 32 characters");
    expect((error as Error).message).not.toContain("short-value");
  });

  it("takes the role's credentials, the region and the endpoint from the Lambda environment", async () => {
    const { endpoint, seen } = await secretsManager(200, { SecretString: "v" });
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDENV");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "env-secret");
    vi.stubEnv("AWS_SESSION_TOKEN", "env-token");
    vi.stubEnv("AWS_REGION", "ap-south-2");
    vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint);
    expect(await readSecret("plain-name")).toBe("v");
    const [request] = seen;
    expect(JSON.parse(request?.body ?? "")).toEqual({ SecretId: "plain-name" });
    expect(request?.headers.authorization).toMatch(/Credential=AKIDENV\/\d{8}\/ap-south-2\/secretsmanager\//);
    expect(request?.headers["x-amz-security-token"]).toBe("env-token");
  });

  it("says what is missing off Lambda, before any call", async () => {
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
      vi.stubEnv(name, "");
    }
    await expect(readSecret("plain-name")).rejects.toThrow(
      "GetSecretValue(plain-name): no region (not on Lambda? pass it in the options)",
    );
    await expect(readSecret(ARN)).rejects.toThrow(
      `GetSecretValue(${ARN}): no credentials (AWS_ACCESS_KEY_ID) (not on Lambda? pass them in the options)`,
    );
  });

  it("retries a network failure, then fails naming the secret", async () => {
    const { endpoint } = await secretsManager(200, {});
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const error = await readSecret(ARN, { ...options(endpoint), retries: 1 }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      new RegExp(`^GetSecretValue\\(${ARN.replace(/[$]/g, "\\$&")}\\) failed: `),
    );
  });

  it("fails a secret without a SecretString (binary only) by its name", async () => {
    const { endpoint } = await secretsManager(200, { SecretBinary: "AAAA" });
    await expect(readSecret(ARN, options(endpoint))).rejects.toThrow(
      `Secret ${ARN} has no SecretString of at least 32 characters`,
    );
  });

  it.each([
    ["", {}, "secretId must be a name or an ARN"],
    [ARN, { minLength: 0 }, "minLength must be a positive integer, got 0"],
    [ARN, { retries: 11 }, "retries must be 0 to 10, got 11"],
    [ARN, { retries: 1.5 }, "retries must be 0 to 10, got 1.5"],
    [ARN, { timeoutMs: 0 }, "timeoutMs must be"],
  ] as const)("refuses %j with %j", async (id, bad, said) => {
    await expect(readSecret(id, { credentials: CREDENTIALS, ...bad })).rejects.toThrow(said);
  });
});
