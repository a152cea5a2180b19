/**
 * Child process of the e2e test: loads the BUILT bundle (as the Lambda runtime would) and serves one
 * of its handlers on 127.0.0.1 through the adapter's dev server, which turns HTTP requests into
 * API Gateway v2 / Function URL events. Prints `{"url": …}` once listening; stops on SIGTERM.
 * Usage: node --conditions=@portico/source test/_serve-bundle.ts <bundle.mjs> <handler|streamHandler>
 */
import { pathToFileURL } from "node:url";
import { installAwslambda, serveLambda } from "@portico/adapter-lambda/dev";

const [bundlePath, exportName] = process.argv.slice(2);
if (bundlePath === undefined || exportName === undefined) {
  throw new Error("usage: _serve-bundle.ts <bundle.mjs> <export>");
}
installAwslambda();
const bundle = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
const server = await serveLambda(bundle[exportName], { port: 0, hostname: "127.0.0.1", timeoutMs: 60_000 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
