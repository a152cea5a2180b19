/**
 * An API on 127.0.0.1 (a free port) that records every request and answers `body(request)` (JSON,
 * `{ ok: true }` by default), or what `answer` picks for it.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface Recorder {
  /** `http://127.0.0.1:<port>` */
  base: string;
  seen: Recorded[];
  close(): Promise<void>;
}

export async function startRecorder(
  answer: (request: Recorded) => { status: number; headers?: Record<string, string> } | undefined = () =>
    undefined,
  body: (request: Recorded) => unknown = () => ({ ok: true }),
): Promise<Recorder> {
  const seen: Recorded[] = [];
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: text };
    seen.push(entry);
    const special = answer(entry);
    if (special !== undefined) {
      res.writeHead(special.status, special.headers ?? {});
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body(entry)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
