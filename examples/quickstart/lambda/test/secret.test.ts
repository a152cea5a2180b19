import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fetchSecret } from "../src/secret.ts";

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
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
const source = (endpoint: string) => ({
  secretArn: ARN,
  region: "eu-west-1",
  credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret-key", sessionToken: "session-token" },
  secretsManagerEndpoint: endpoint,
});

describe("fetchSecret", () => {
  it("sends one SigV4-signed GetSecretValue and returns the SecretString", async () => {
    const value = "x".repeat(64);
    const { endpoint, seen } = await secretsManager(200, {
      ARN,
      Name: "RequestStateSecret",
      SecretString: value,
    });
    expect(await fetchSecret(source(endpoint))).toBe(value);

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
    expect(await fetchSecret(source(endpoint))).toBe(value);
    expect(seen).toHaveLength(3);
    for (const request of seen) expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it("gives up after the retries, naming the last status", async () => {
    const { endpoint, seen } = await secretsManager(500, { __type: "InternalServiceError" });
    await expect(fetchSecret(source(endpoint))).rejects.toThrow(
      `GetSecretValue(${ARN}) failed: HTTP 500 InternalServiceError`,
    );
    expect(seen).toHaveLength(3);
  });

  it("fails with the AWS error type and the secret's ARN", async () => {
    const { endpoint } = await secretsManager(400, {
      __type: "ResourceNotFoundException",
      message: "Secrets Manager can't find the specified secret.",
    });
    await expect(fetchSecret(source(endpoint))).rejects.toThrow(
      `GetSecretValue(${ARN}) failed: HTTP 400 ResourceNotFoundException`,
    );
  });

  it("refuses a secret too short to be an HMAC key, without echoing it", async () => {
    const { endpoint } = await secretsManager(200, { SecretString: "short-value" });
    const error = await fetchSecret(source(endpoint)).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("at least 32 characters");
    expect((error as Error).message).not.toContain("short-value");
  });
});
