import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** An IPv4 address as a dual-stack socket reports it: IPv4-mapped IPv6 (`::ffff:192.0.2.1`). */
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `address` without an IPv4-mapped IPv6 prefix, so one IPv4 caller has one address on any listener. */
export function plainAddress(address: string | undefined): string | undefined {
  if (address === undefined || address === "") return undefined;
  return IPV4_MAPPED.exec(address)?.[1] ?? address;
}

/**
 * The TCP peer: `socket.remoteAddress`, "the string representation of the remote IP address"
 * (https://nodejs.org/api/net.html#socketremoteaddress), `undefined` once the socket is destroyed.
 * Some frameworks hand over requests without a socket (injected test requests): no address then.
 */
export function peerAddress(req: IncomingMessage): string | undefined {
  const socket = req.socket as { remoteAddress?: unknown } | null | undefined;
  const address = socket?.remoteAddress;
  return typeof address === "string" ? plainAddress(address) : undefined;
}

/**
 * One `X-Forwarded-For` entry as an address: bare, or with the port some proxies add (`a.b.c.d:p`,
 * `[v6]:p`).
 */
function entryAddress(entry: string): string | undefined {
  if (isIP(entry) !== 0) return plainAddress(entry);
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(entry)?.[1];
  if (bracketed !== undefined && isIP(bracketed) === 6) return plainAddress(bracketed);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry)?.[1];
  return v4 !== undefined && isIP(v4) === 4 ? v4 : undefined;
}

/**
 * The last `X-Forwarded-For` entry: the address the proxy in front of this server saw, since a proxy
 * appends its peer to the list (the entries before it came with the request, and any client can
 * write those). Repeated header lines count as one list, in order. `undefined` when the last entry
 * is not an IP address.
 */
export function lastForwardedFor(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(",") : value;
  const last = joined.slice(joined.lastIndexOf(",") + 1).trim();
  return last === "" ? undefined : entryAddress(last);
}

/**
 * `ctx.clientAddress`: the TCP peer. With `trustProxy` (a proxy you control in front), the last
 * `X-Forwarded-For` entry, which that proxy appended; the peer (the proxy) when it has none.
 */
export function clientAddressOf(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = lastForwardedFor(req.headers["x-forwarded-for"]);
    if (forwarded !== undefined) return forwarded;
  }
  return peerAddress(req);
}
