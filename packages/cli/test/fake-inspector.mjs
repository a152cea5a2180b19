// Stands in for the MCP Inspector's launcher in inspect.test.ts: prints the arguments it got as
// one JSON line and, given a URL, initializes an MCP session there to show the server is up.
const args = process.argv.slice(2);
const url = args.find((arg) => arg.startsWith("http://127.0.0.1:"));
let server = null;
if (url !== undefined) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "fake", version: "1" } },
    }),
  });
  const text = await response.text();
  const data = text.startsWith("{") ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? "null");
  server = JSON.parse(data)?.result?.serverInfo?.name ?? null;
}
console.log(JSON.stringify({ args, server }));
process.exitCode = Number(process.env.FAKE_INSPECTOR_EXIT ?? 0);
