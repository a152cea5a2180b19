/**
 * Whose failure a failed introspection is. The endpoint down or refusing us (no answer, a timeout,
 * 401, 403, 429, 502, 503, 504) backs off every uncached token; a failure that may be about the one
 * token sent (500 and the other 5xx, an answer that is not a JSON object or is too large) backs off
 * that token only — else anyone could send a token the endpoint chokes on every 5 s and have every
 * new caller refused. Three different tokens failing so in a row, with no success between, mean the
 * endpoint is down after all.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type OAuthResourceServerOptions, oauthResourceServer } from "../src/index.ts";
import { at, deadUrl, type Loose, stopAll } from "./_idp.ts";

const RESOURCE = "https://mcp.example.test/mcp";

/** What the endpoint answers for one token: a status and a body, after `delayMs`. */
interface Reply {
  status: number;
  body: string;
  delayMs?: number;
}

/**
 * An introspection endpoint on node:http (127.0.0.1, a free port) that answers per token: tokens
 * starting with "good" are active, those in `replies` get their reply, any other is inactive.
 * Unlike `startIdp()`'s, it can fail for one token only, or answer late.
 */
interface Endpoint {
  url: string;
  replies: Map<string, Reply>;
  hits: number;
}

const servers = new Set<Server>();

afterAll(async () => {
  await stopAll();
  await Promise.all(
    [...servers].map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

async function startEndpoint(): Promise<Endpoint> {
  const endpoint: Endpoint = { url: "", replies: new Map(), hits: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      endpoint.hits++;
      const token = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("token") ?? "";
      const reply = endpoint.replies.get(token) ?? {
        status: 200,
        body: JSON.stringify(
          token.startsWith("good")
            ? { active: true, iss: endpoint.url, aud: RESOURCE, sub: `user-${token}`, exp: at(300) }
            : { active: false },
        ),
      };
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(reply.status, { "content-type": "application/json" });
        response.end(reply.body);
      };
      if (reply.delayMs === undefined) send();
      else setTimeout(send, reply.delayMs).unref();
    });
  });
  server.requestTimeout = 5_000;
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return endpoint;
}

let endpoint: Endpoint;
let clock: number;
let reported: unknown[];

beforeEach(async () => {
  endpoint = await startEndpoint();
  clock = Date.now();
  reported = [];
});

function server(more: Loose<OAuthResourceServerOptions> = {}, url = `${endpoint.url}/introspect`) {
  return oauthResourceServer({
    resource: RESOURCE,
    authorizationServers: [endpoint.url],
    introspection: { endpoint: url, clientId: "rs", clientSecret: "secret" },
    now: () => clock,
    onError: (error) => reported.push(error),
    ...more,
  } as OAuthResourceServerOptions);
}

/** The subject admitted, or the status and Retry-After of the refusal. */
async function call(auth: ReturnType<typeof server>, token: string) {
  const answer = await auth.authenticate(
    new Request(RESOURCE, { method: "POST", headers: { authorization: `Bearer ${token}` } }),
    {},
  );
  if (answer instanceof Response)
    return { status: answer.status, retryAfter: answer.headers.get("retry-after") };
  return { subject: answer?.subject };
}

const fails = (token: string, status = 500, body = '{"error":"server_error"}') =>
  endpoint.replies.set(token, { status, body });

const unavailable = (retryAfter = "5") => ({ status: 503, retryAfter });

describe("introspection failures that may be about one token", () => {
  it("a token the endpoint answers 500 for → 503 for it, reported; a good token right after is admitted", async () => {
    fails("chokes-1");
    const auth = server();
    expect(await call(auth, "chokes-1")).toStrictEqual(unavailable());
    expect(reported).toHaveLength(1);
    expect(await call(auth, "good-1")).toStrictEqual({ subject: "user-good-1" });
    expect(endpoint.hits).toBe(2);
  });

  it("the same failing token again within the back-off → 503 without asking the endpoint; after it, asked again", async () => {
    fails("chokes-1");
    const auth = server();
    await call(auth, "chokes-1");
    clock += 2_000;
    // Other tokens are introspected meanwhile, but not this one.
    expect(await call(auth, "good-1")).toStrictEqual({ subject: "user-good-1" });
    expect(await call(auth, "chokes-1")).toStrictEqual(unavailable("3"));
    expect(await call(auth, "chokes-1")).toStrictEqual(unavailable("3"));
    expect(endpoint.hits).toBe(2);
    expect(reported).toHaveLength(1);
    clock += 3_000;
    endpoint.replies.delete("chokes-1");
    expect(await call(auth, "chokes-1")).toStrictEqual({ status: 401, retryAfter: null });
    expect(endpoint.hits).toBe(3);
  });

  it.each([
    ["HTTP 500", { status: 500, body: "{}" }],
    ["HTTP 501", { status: 501, body: "" }],
    ["HTTP 507", { status: 507, body: "" }],
    ["an answer that is not JSON", { status: 200, body: "<html>oops</html>" }],
    ["an answer that is a JSON array", { status: 200, body: "[]" }],
    [
      "an answer larger than 512 KB",
      { status: 200, body: JSON.stringify({ active: true, pad: "x".repeat(600_000) }) },
    ],
  ])("%s is about this token: 503 for it, the next token is introspected", async (_name, reply) => {
    endpoint.replies.set("odd-token", reply);
    const auth = server();
    expect(await call(auth, "odd-token")).toStrictEqual(unavailable());
    expect(await call(auth, "good-2")).toStrictEqual({ subject: "user-good-2" });
    expect(reported).toHaveLength(1);
  });

  it("three different failing tokens in a row → the endpoint is down: 503 for all until the back-off ends", async () => {
    for (const token of ["chokes-1", "chokes-2", "chokes-3"]) fails(token);
    const auth = server();
    expect(await call(auth, "chokes-1")).toStrictEqual(unavailable());
    expect(await call(auth, "chokes-2")).toStrictEqual(unavailable());
    expect(await call(auth, "chokes-3")).toStrictEqual(unavailable());
    expect(await call(auth, "good-3")).toStrictEqual(unavailable());
    expect(endpoint.hits).toBe(3);
    expect(reported).toHaveLength(3);
    clock += 5_000;
    expect(await call(auth, "good-3")).toStrictEqual({ subject: "user-good-3" });
    expect(endpoint.hits).toBe(4);
  });

  it("one token failing again and again counts once: two different ones do not stop the others", async () => {
    for (const token of ["chokes-1", "chokes-2"]) fails(token);
    const auth = server();
    for (let i = 0; i < 3; i++) {
      expect(await call(auth, "chokes-1")).toStrictEqual(unavailable());
      clock += 5_000;
    }
    expect(await call(auth, "chokes-2")).toStrictEqual(unavailable());
    expect(await call(auth, "good-4")).toStrictEqual({ subject: "user-good-4" });
  });

  it("a success between failures starts the count again", async () => {
    for (let i = 1; i <= 7; i++) fails(`chokes-${i}`);
    const auth = server();
    await call(auth, "chokes-1");
    await call(auth, "chokes-2");
    expect(await call(auth, "good-5")).toStrictEqual({ subject: "user-good-5" });
    await call(auth, "chokes-3");
    await call(auth, "chokes-4");
    // Four failures, but only two since the last success.
    expect(await call(auth, "good-6")).toStrictEqual({ subject: "user-good-6" });
    // An inactive answer is a success too: the endpoint is up.
    await call(auth, "chokes-5");
    await call(auth, "chokes-6");
    expect(await call(auth, "revoked")).toStrictEqual({ status: 401, retryAfter: null });
    await call(auth, "chokes-7");
    expect(await call(auth, "good-7")).toStrictEqual({ subject: "user-good-7" });
    expect(endpoint.hits).toBe(11);
  });

  it("concurrent uses of one failing token share one request and count as one token", async () => {
    fails("chokes-1");
    fails("chokes-2");
    const auth = server();
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(auth, "chokes-1")));
    expect(answers).toStrictEqual(Array(5).fill(unavailable()));
    await call(auth, "chokes-2");
    expect(await call(auth, "good-8")).toStrictEqual({ subject: "user-good-8" });
    expect(endpoint.hits).toBe(3);
  });

  it("the failures remembered are bounded (cacheSize tokens): the oldest is forgotten and asked again", async () => {
    const auth = server({
      introspection: {
        endpoint: `${endpoint.url}/introspect`,
        clientId: "rs",
        clientSecret: "secret",
        cacheSize: 2,
      },
    });
    for (const token of ["chokes-1", "chokes-2", "chokes-3"]) fails(token);
    await call(auth, "chokes-1");
    await call(auth, "chokes-2");
    await call(auth, "good-9");
    await call(auth, "chokes-3");
    expect(endpoint.hits).toBe(4);
    // chokes-2 and chokes-3 are remembered; chokes-1 was pushed out.
    expect(await call(auth, "chokes-3")).toStrictEqual(unavailable());
    expect(await call(auth, "chokes-2")).toStrictEqual(unavailable());
    expect(endpoint.hits).toBe(4);
    expect(await call(auth, "chokes-1")).toStrictEqual(unavailable());
    expect(endpoint.hits).toBe(5);
  });
});

describe("introspection failures that say the endpoint is down or refusing us", () => {
  it.each([401, 403, 429, 502, 503, 504])(
    "HTTP %i → 503 for every uncached token, reported once",
    async (status) => {
      fails("first", status, "");
      const auth = server();
      expect(await call(auth, "first")).toStrictEqual(unavailable());
      expect(await call(auth, "good-10")).toStrictEqual(unavailable());
      expect(endpoint.hits).toBe(1);
      expect(reported).toHaveLength(1);
      clock += 5_000;
      expect(await call(auth, "good-10")).toStrictEqual({ subject: "user-good-10" });
    },
  );

  it("a cached token keeps working during the back-off", async () => {
    fails("first", 503, "");
    const auth = server();
    await call(auth, "good-11");
    expect(await call(auth, "first")).toStrictEqual(unavailable());
    expect(await call(auth, "good-11")).toStrictEqual({ subject: "user-good-11" });
    expect(endpoint.hits).toBe(2);
  });

  it("no answer (nothing listening) → 503 for every uncached token", async () => {
    const auth = server({}, `${await deadUrl()}/introspect`);
    expect(await call(auth, "any-1")).toStrictEqual(unavailable());
    expect(await call(auth, "any-2")).toStrictEqual(unavailable());
    expect(reported).toHaveLength(1);
  });

  it("a timeout → 503 for every uncached token", async () => {
    endpoint.replies.set("slow", { status: 200, body: '{"active":false}', delayMs: 2_000 });
    const auth = server({ timeoutMs: 100 });
    expect(await call(auth, "slow")).toStrictEqual(unavailable());
    expect(await call(auth, "good-12")).toStrictEqual(unavailable());
    expect(endpoint.hits).toBe(1);
    expect(reported).toHaveLength(1);
  });
});
