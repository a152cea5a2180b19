/** The help texts, one per command, and the overview. */

export const DEV_USAGE = `usage: portico dev <entry> [--port 3000] [--host 127.0.0.1] [--lambda] [--export <name>]

Serves the tools module at http://<host>:<port>/mcp with in-memory stores, logs one line per
request, and reloads when the module or a local file it imports changes (a build error keeps the
last good version serving).

  --port <n>       port to listen on (default 3000; 0 picks a free one)
  --host <addr>    address to listen on (default 127.0.0.1)
  --lambda         serve through the Lambda adapter (streamHandle, Function URL events)
  --export <name>  the export to serve (default: see "portico help")`;

export const STDIO_USAGE = `usage: portico stdio <entry> [--export <name>]

Serves the tools module over stdio (newline-delimited JSON-RPC on stdin/stdout; logs go to
stderr), for MCP clients that launch their servers as processes.

  --export <name>  the export to serve`;

export const INSPECT_USAGE = `usage: portico inspect <entry|url> [--cli] [--stdio] [--export <name>] [--port 0] [--header "k: v"] [-- <inspector args>]

Opens the MCP Inspector (@modelcontextprotocol/inspector 2.x; the local install if there is one,
else npx) on a URL, or on a tools module: served by an in-process dev server (reloading) on a free
port, or with --stdio launched by the Inspector as "portico stdio <entry>".

  --cli            the Inspector's non-interactive CLI mode (pass its flags after --,
                   e.g. -- --method tools/list)
  --stdio          let the Inspector launch the module over stdio
  --export <name>  the export to serve
  --port <n>       the dev server's port (default 0: a free one)
  --header "k: v"  an HTTP header for a URL (repeatable)`;

export const CALL_USAGE = `usage: portico call <entry|url> <tool> [--arg k=v ...] [--json '{...}'] [--header k:v ...] [--raw] [--export <name>]

Calls one tool and prints its text content (--raw: the whole result as JSON). Exits 1 with the
error's message when the tool fails (isError or a JSON-RPC error). An entry runs in this process;
a URL is called with the MCP SDK client (Streamable HTTP).

  --arg k=v        an argument; the value is parsed as JSON when it parses, else taken as text
  --json '{...}'   the arguments as one JSON object (--arg values are added to it)
  --header k:v     an HTTP header for a URL (repeatable)
  --raw            print the JSON result
  --export <name>  the export to serve`;

export const OVERVIEW = `usage: portico <command> [options]

Commands:
  dev <entry>              serve a tools module on Node (or --lambda) with reload
  stdio <entry>            serve a tools module over stdio
  inspect <entry|url>      open the MCP Inspector on a module or a URL
  call <entry|url> <tool>  call one tool and print the result
  help [command]           show help
  --version                print the version

An entry is a TypeScript or JavaScript module. The CLI serves, in order: the export named by
--export; else the default export; else the export named "server"; else the only export that is
an McpServer, a { fetch } handler or a function. A function is called with no arguments (it may be
async) and must return an McpServer or a { fetch } handler.`;

export const USAGES: Record<string, string> = {
  dev: DEV_USAGE,
  stdio: STDIO_USAGE,
  inspect: INSPECT_USAGE,
  call: CALL_USAGE,
};
