import { randomBytes } from "node:crypto";
import { parseCommand } from "../_args.ts";
import { consoleToStderr, stdoutToStderr } from "../_console.ts";
import { CliError, oneLine, usageError } from "../_errors.ts";
import { CALL_USAGE } from "../_usage.ts";
import { connect } from "../client/_connect.ts";
import { resultText } from "../client/_result.ts";
import { entryApp, loadEntry } from "../load/entry.ts";
import { checkUrl, isUrl, parseHeaders } from "./_targets.ts";

/** `--arg k=v` values: JSON when they parse as JSON, else the text as it is. */
export function parseToolArgs(json: string | undefined, args: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw usageError(`--json is not JSON: ${oneLine(error)}`, CALL_USAGE);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw usageError("--json must be a JSON object of arguments", CALL_USAGE);
    out = { ...(parsed as Record<string, unknown>) };
  }
  for (const pair of args) {
    const at = pair.indexOf("=");
    if (at <= 0) throw usageError(`--arg ${JSON.stringify(pair)} is not key=value`, CALL_USAGE);
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON: the text itself.
    }
    out[pair.slice(0, at)] = value;
  }
  return out;
}

/** `portico call <entry|url> <tool>`: 0 on success, 1 when the tool fails. */
export async function callCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      arg: { type: "string", multiple: true },
      json: { type: "string" },
      header: { type: "string", multiple: true },
      raw: { type: "boolean" },
      export: { type: "string" },
    },
    CALL_USAGE,
  );
  if (values.help === true) {
    console.log(CALL_USAGE);
    return 0;
  }
  const [target, tool, extra] = positionals;
  if (target === undefined || tool === undefined)
    throw usageError("call needs a tools module (or URL) and a tool name", CALL_USAGE);
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`, CALL_USAGE);
  const toolArgs = parseToolArgs(
    values.json as string | undefined,
    (values.arg as string[] | undefined) ?? [],
  );
  const headers = parseHeaders((values.header as string[] | undefined) ?? [], CALL_USAGE);
  if (isUrl(target)) checkUrl(target);

  // stdout carries the result alone: the module's output (console, process.stdout.write) goes to
  // stderr meanwhile.
  if (isUrl(target))
    return callOnce(target, tool, toolArgs, headers, values, (text) => process.stdout.write(text));
  const restoreConsole = consoleToStderr();
  const stdout = stdoutToStderr();
  try {
    return await callOnce(target, tool, toolArgs, headers, values, stdout.write);
  } finally {
    stdout.restore();
    restoreConsole();
  }
}

/** Loads the entry (or takes the URL), calls the tool and prints its result with `print`; the exit code. */
async function callOnce(
  target: string,
  tool: string,
  toolArgs: Record<string, unknown>,
  headers: Record<string, string>,
  values: { export?: unknown; raw?: unknown },
  print: (text: string) => void,
): Promise<number> {
  let release = (): void => {};
  let app: string | Awaited<ReturnType<typeof entryApp>>["app"] = target;
  if (!isUrl(target)) {
    const loaded = await loadEntry(
      target,
      values.export === undefined ? {} : { exportName: values.export as string },
    );
    const made = entryApp(loaded, { secret: randomBytes(32).toString("base64") });
    app = made.app;
    release = made.close;
  }
  const connection = await connect(app, headers);
  try {
    let result: Record<string, unknown>;
    try {
      result = (await connection.client.callTool({ name: tool, arguments: toolArgs })) as Record<
        string,
        unknown
      >;
    } catch (error) {
      throw new CliError(oneLine(error), 1);
    }
    if (values.raw === true) print(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.isError !== true) {
      const text = resultText(result);
      if (text !== "") print(text.endsWith("\n") ? text : `${text}\n`);
    }
    if (result.isError === true) {
      const text = resultText(result);
      throw new CliError(`${tool} failed: ${text === "" ? "(no message)" : oneLine(text)}`, 1);
    }
    return 0;
  } finally {
    await connection.close();
    release();
  }
}
