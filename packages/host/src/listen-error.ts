/**
 * Why a local server could not listen, in one sentence that says what to do — for the Node
 * adapter's `serve()` and the adapters' dev servers. The system's error stays as `cause`, its
 * `code` on the result; errors it has no advice for come back unchanged.
 */
export function listenError(error: Error & { code?: string }, port: number, hostname: string): Error {
  const where = `${hostname}:${port}`;
  let message: string | undefined;
  if (error.code === "EADDRINUSE")
    message = `cannot listen on ${where}: the port is already in use. Stop what listens there, or choose another port (PORT=… or serve(app, { port }))`;
  else if (error.code === "EACCES")
    message = `cannot listen on ${where}: permission denied (ports below 1024 need privileges). Choose a port ≥ 1024 (PORT=… or serve(app, { port }))`;
  else if (error.code === "EADDRNOTAVAIL")
    message = `cannot listen on ${where}: no interface of this machine has that address. Use 127.0.0.1 (or 0.0.0.0 for every interface)`;
  if (message === undefined) return error;
  return Object.assign(new Error(message, { cause: error }), { code: error.code });
}
