/** What the flow needs from a host running the notes MCP server. */

/** The authorization server, as a host's configuration names it. */
export interface AuthorizationServerRef {
  issuer: string;
  jwksUrl: string;
}

export interface RunningHost {
  /** The MCP endpoint, which is also the server's resource URI (`http://127.0.0.1:PORT/mcp`). */
  url: string;
  stop(): Promise<void>;
}

export interface Host {
  name: string;
  /** How the host learns where the authorization server's keys are, for the test names. */
  keys: string;
  start(authorizationServer: AuthorizationServerRef): Promise<RunningHost>;
}
