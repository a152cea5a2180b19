/**
 * `portico dev --host 0.0.0.0` (or `::`) listens on every interface but prints an endpoint the
 * server answers — on the loopback: `0.0.0.0` is not an address to call, and the Host check refuses
 * names other than localhost ones — and says how to serve other names. Checked on the function the
 * command prints from (tests bind the loopback only); a loopback bind prints its own URL, no note.
 */
import { describe, expect, it } from "vitest";
import { endpointFor } from "../src/dev/dev-server.ts";

const NOTE = (where: string) =>
  `listening on ${where}: the Host check admits localhost names only (other names get 403); to serve other names, set allowedHosts in your own createHandler and export that handler`;

describe("portico dev's printed endpoint", () => {
  it("is a loopback one, with a note on allowedHosts, for a wildcard bind", () => {
    expect(endpointFor("http://0.0.0.0:4321")).toStrictEqual({
      endpoint: "http://127.0.0.1:4321/mcp",
      hostNote: NOTE("every interface (0.0.0.0)"),
    });
    expect(endpointFor("http://[::]:4321")).toStrictEqual({
      endpoint: "http://[::1]:4321/mcp",
      hostNote: NOTE("every interface ([::])"),
    });
  });

  it("is the listening URL itself for a loopback bind, without a note", () => {
    expect(endpointFor("http://127.0.0.1:4321")).toStrictEqual({ endpoint: "http://127.0.0.1:4321/mcp" });
    expect(endpointFor("http://localhost:4321")).toStrictEqual({ endpoint: "http://localhost:4321/mcp" });
  });

  it("names another address it listens on, with the note", () => {
    expect(endpointFor("http://192.0.2.10:4321")).toStrictEqual({
      endpoint: "http://192.0.2.10:4321/mcp",
      hostNote: NOTE("192.0.2.10"),
    });
  });
});
