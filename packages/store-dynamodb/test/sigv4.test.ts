import type { AwsCredentials } from "@portico/host";
import { amzDate, signAwsRequest as signRequest } from "@portico/host";
import { AwsV4Signer } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { DynamoDbClient } from "../src/index.ts";

const credentials: AwsCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const date = new Date("2026-11-21T13:45:07.123Z");

interface Case {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: AwsCredentials;
  date: Date;
}

const dynamoHeaders = {
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": "DynamoDB_20120810.GetItem",
};

const cases: Case[] = [
  {
    name: "a DynamoDB GetItem on the regional endpoint",
    url: "https://dynamodb.eu-west-1.amazonaws.com/",
    headers: dynamoHeaders,
    body: JSON.stringify({ TableName: "t", Key: { pk: { S: "a" }, sk: { S: "b" } }, ConsistentRead: true }),
    region: "eu-west-1",
    service: "dynamodb",
    credentials,
    date,
  },
  {
    name: "temporary credentials (x-amz-security-token)",
    url: "https://dynamodb.us-east-1.amazonaws.com/",
    headers: { ...dynamoHeaders, "x-amz-target": "DynamoDB_20120810.PutItem" },
    body: JSON.stringify({ TableName: "t", Item: { pk: { S: "日本語 ✓" } } }),
    region: "us-east-1",
    service: "dynamodb",
    credentials: {
      ...credentials,
      sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token=",
    },
    date: new Date("2027-01-01T00:00:00.000Z"),
  },
  {
    name: "a local endpoint with a port, a path prefix and a query",
    url: "http://127.0.0.1:8000/proxy//dynamo db/a%2Fb?b=2&a=1&a=0&space=hello%20world&star=*",
    headers: { ...dynamoHeaders, "x-custom": "  several   spaces\tinside  " },
    body: "",
    region: "local",
    service: "dynamodb",
    credentials,
    date,
  },
  {
    name: "another service and a midnight date",
    url: "https://sts.amazonaws.com/",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
    region: "us-east-1",
    service: "sts",
    credentials,
    date: new Date("2026-02-28T23:59:59.999Z"),
  },
];

/** The Authorization header aws4fetch computes for the same request (signing every header given). */
async function oracle(c: Case, headers: Record<string, string> = c.headers): Promise<string | null> {
  const signer = new AwsV4Signer({
    method: "POST",
    url: c.url,
    headers,
    body: c.body,
    accessKeyId: c.credentials.accessKeyId,
    secretAccessKey: c.credentials.secretAccessKey,
    ...(c.credentials.sessionToken ? { sessionToken: c.credentials.sessionToken } : {}),
    region: c.region,
    service: c.service,
    datetime: amzDate(c.date),
    allHeaders: true,
  });
  const signed = await signer.sign();
  return signed.headers.get("authorization");
}

describe("SigV4 signing (aws4fetch as the oracle)", () => {
  for (const c of cases) {
    it(`matches aws4fetch for ${c.name}`, async () => {
      const headers = await signRequest({
        method: "POST",
        url: new URL(c.url),
        headers: c.headers,
        body: c.body,
        credentials: c.credentials,
        region: c.region,
        service: c.service,
        date: c.date,
      });
      expect(headers.authorization).toBe(await oracle(c));
      expect(headers["x-amz-date"]).toBe(amzDate(c.date));
      expect(headers["x-amz-security-token"]).toBe(c.credentials.sessionToken);
    });
  }

  it("formats x-amz-date as YYYYMMDDTHHMMSSZ in UTC", () => {
    expect(amzDate(new Date("2026-03-04T05:06:07.890Z"))).toBe("20260304T050607Z");
  });

  it("signs what the client actually sends", async () => {
    const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
    const capture: typeof fetch = async (input, init) => {
      sent.push({
        url: String(input),
        headers: Object.fromEntries(new Headers(init?.headers)),
        body: String(init?.body),
      });
      return new Response("{}", { status: 200 });
    };
    const client = new DynamoDbClient({
      region: "ap-southeast-2",
      credentials: { ...credentials, sessionToken: "session-token" },
      fetch: capture,
    });
    await client.send("GetItem", { TableName: "t", Key: { pk: { S: "x" }, sk: { S: "y" } } });
    const request = sent[0]!;
    expect(request.url).toBe("https://dynamodb.ap-southeast-2.amazonaws.com/");
    const { authorization, ...rest } = request.headers;
    const stamp = rest["x-amz-date"]!;
    const expected = await oracle(
      {
        name: "client",
        url: request.url,
        headers: {},
        body: request.body,
        region: "ap-southeast-2",
        service: "dynamodb",
        credentials: { ...credentials, sessionToken: "session-token" },
        date: new Date(
          `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
        ),
      },
      rest,
    );
    expect(authorization).toBe(expected);
    expect(authorization).toContain(
      "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,",
    );
  });
});
