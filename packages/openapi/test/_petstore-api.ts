/**
 * A small petstore API on 127.0.0.1 (a free port) under `/v2`, as the petstore document
 * describes it, recording every request it gets.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface PetstoreApi {
  /** `http://127.0.0.1:<port>/v2` */
  base: string;
  received: Received[];
  last(): Received;
  close(): Promise<void>;
}

const pets = new Map<number, Record<string, unknown>>([
  [1, { id: 1, name: "Rex", photoUrls: [], status: "available" }],
  [2, { id: 2, name: "Tom", photoUrls: ["https://example.com/tom.png"], status: "sold" }],
]);

export async function startPetstore(): Promise<PetstoreApi> {
  const received: Received[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const json = (status: number, value: unknown, extra: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...extra });
      res.end(JSON.stringify(value));
    };
    const pet = /^\/v2\/pet\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && url.pathname === "/v2/pet/findByStatus") {
      const wanted = url.searchParams.getAll("status");
      return json(
        200,
        [...pets.values()].filter((p) => wanted.includes(p.status as string)),
      );
    }
    if (req.method === "GET" && pet) {
      const found = pets.get(Number(pet[1]));
      if (found) return json(200, found);
      // A long error body with control characters: the tool shows a clean excerpt.
      return json(404, { message: `Pet not found\n\t\u0007${"x".repeat(2000)}` });
    }
    if (req.method === "DELETE" && pet) {
      res.writeHead(204);
      return res.end();
    }
    if (req.method === "POST" && pet) {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(`updated ${pet[1]} with ${body}`);
    }
    if (req.method === "POST" && url.pathname === "/v2/pet")
      return json(200, { id: 99, ...JSON.parse(body) });
    if (req.method === "PUT" && url.pathname === "/v2/pet") return json(200, { name: 42 }); // not a Pet
    if (req.method === "GET" && url.pathname === "/v2/store/inventory")
      return json(200, { available: 1, sold: 1 });
    if (req.method === "GET" && url.pathname === "/v2/user/login") {
      return json(200, `logged in as ${url.searchParams.get("username")}`);
    }
    if (req.method === "GET" && url.pathname === "/v2/user/logout") {
      // Slow: for the time limit.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("bye");
    }
    if (req.method === "GET" && url.pathname.startsWith("/v2/user/")) {
      return json(200, { username: decodeURIComponent(url.pathname.slice(9)), bio: "y".repeat(5_000) });
    }
    json(404, { message: "no route" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/v2`,
    received,
    last: () => received.at(-1) as Received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
