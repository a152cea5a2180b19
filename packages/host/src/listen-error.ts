/**
 * Why a local server could not listen, in one sentence that says what to do — for the Node
 * adapter's `serve()` and the adapters' dev servers. `how` says how this server's port is chosen
 * (default `PORT=… or serve(app, { port })`). The system's error stays as `cause`, its `code` on the
 * result; errors it has no advice for come back unchanged.
 */
export function listenError(
  error: Error & { code?: string },
  port: number,
  hostname: string,
  how = "PORT=… or serve(app, { port })",
): Error {
  const where = `${hostname}:${port}`;
  let message: string | undefined;
  if (error.code === "EADDRINUSE")
    message = `cannot listen on ${where}: the port is already in use. Stop what listens there, or choose another port (${how})`;
  else if (error.code === "EACCES")
    message = `cannot listen on ${where}: permission denied (ports below 1024 need privileges). Choose a port ≥ 1024 (${how})`;
  else if (error.code === "EADDRNOTAVAIL")
    message = `cannot listen on ${where}: no interface of this machine has that address. Use 127.0.0.1 (or 0.0.0.0 for every interface)`;
  if (message === undefined) return error;
  return Object.assign(new Error(message, { cause: error }), { code: error.code });
}

/**
 * The port a local server listens on: `given`, else `fromEnvironment` (the `PORT` variable's text,
 * as it comes), else `fallback`. Anything but an integer from 0 to 65535 (0 picks a free one) is a
 * `RangeError` (code `ERR_INVALID_PORT`) quoting the value as it was given (`invalid PORT "abc"`, not `NaN`).
 */
export function listenPort(
  given: number | undefined,
  fromEnvironment: string | undefined,
  fallback = 3000,
): number {
  const text = fromEnvironment?.trim();
  const value = given ?? (text ? Number(text) : fallback);
  if (Number.isInteger(value) && value >= 0 && value <= 65535) return value;
  const what =
    given !== undefined ? `port ${JSON.stringify(String(given))}` : `PORT ${JSON.stringify(fromEnvironment)}`;
  throw Object.assign(
    new RangeError(`invalid ${what}: give an integer from 0 to 65535 (0 picks a free one)`),
    { code: "ERR_INVALID_PORT" },
  );
}
