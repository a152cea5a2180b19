// Child of cold-start.ts: a fresh process imports one bundle and answers one event.
// Prints {"ms": import + first answer, "status": ..., "ok": the sum came back}.
const [bundle, eventJson] = process.argv.slice(2);
const started = performance.now();
const mod = await import(bundle);
const result = await mod.handler(JSON.parse(eventJson), {
  awsRequestId: "cold",
  getRemainingTimeInMillis: () => 30_000,
});
const ms = performance.now() - started;
const text = typeof result?.body === "string" ? result.body : "";
process.stdout.write(
  `${JSON.stringify({ ms, status: result?.statusCode, ok: text.includes('"text":"5"') })}\n`,
);
