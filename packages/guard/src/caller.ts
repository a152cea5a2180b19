/**
 * Whose calls share a bucket or an idempotency key space, as a short store-safe text: the caller's
 * principal (from `call.auth`), else its network address's group (an IPv6 address by its /64: one
 * host usually holds a whole /64), else everyone anonymous together.
 */
import { addressGroup, type McpCall } from "@portico/core";
import { digestOf } from "./digest.ts";

/** How a guard tells callers apart. */
export type CallerScope = "caller" | "everyone" | ((call: McpCall) => string | undefined);

/**
 * The caller part of a store key: `p.<digest of the principal>` for an authenticated caller,
 * `a.<address group>` for an anonymous one whose address the adapter knows (`addressGroup`: an
 * IPv4 address as it is, an IPv6 one as its /64, `2001:db8:1:2::/64`), `anonymous` otherwise;
 * `*` for `"everyone"`; `f.<digest>` of what a function returns (`undefined`: as `"caller"`).
 */
export async function callerOf(call: McpCall, scope: CallerScope = "caller"): Promise<string> {
  if (scope === "everyone") return "*";
  if (typeof scope === "function") {
    const named = scope(call);
    if (named !== undefined) return `f.${await digestOf(named)}`;
  }
  const principal = call.principal;
  if (principal !== null) return `p.${await digestOf(principal)}`;
  const address = call.clientAddress;
  return address === undefined ? "anonymous" : `a.${addressGroup(address)}`;
}
