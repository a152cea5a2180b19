/**
 * The group a client address is counted under by per-caller limits (`maxSessionsPerCaller`, and
 * `@portico/guard`'s per-caller buckets). One host on IPv6 usually holds a whole /64 and may pick
 * any address in it for each connection, so counting exact addresses would let it escape every
 * per-caller limit: an IPv6 address is counted by its /64.
 */

/**
 * The key per-caller limits count a caller under (`maxSessionsPerCaller`, `maxListenStreamsPerCaller`,
 * `maxTasksPerCaller` for an anonymous legacy caller): `p:<principal>` when authenticated, else
 * `a:<addressGroup(address)>`; `undefined` when the server cannot tell the caller apart.
 */
export function callerKey(principal: string | null, clientAddress: string | undefined): string | undefined {
  if (principal !== null) return `p:${principal}`;
  return clientAddress === undefined || clientAddress === "" ? undefined : `a:${addressGroup(clientAddress)}`;
}

/** Longest group returned for text that is no IP address (it is kept as it is, cut to this). */
const MAX_UNPARSED = 64;

/** Longest IPv6 text without zone id: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
const MAX_IPV6 = 45;

/**
 * The group per-caller limits count `address` under:
 * - IPv4 (`198.51.100.7`): the address as it is;
 * - IPv4-mapped IPv6 (`::ffff:198.51.100.7`, `::ffff:c633:6407`) and NAT64 (`64:ff9b::/96`): the IPv4
 *   address (`198.51.100.7`), so a dual-stack socket counts a client as an IPv4 one does;
 * - other IPv6: its /64 prefix, normalised (`::` expanded, leading zeros dropped, lower case, a zone
 *   id such as `%eth0` and surrounding brackets dropped): `2001:db8:1:2::/64`;
 * - anything else (no IP address): the text as it is, cut to 64 characters.
 *
 * Hosts sharing a /64 (one LAN) count as one caller, as hosts behind one IPv4 NAT do; an
 * authenticated caller counts by its principal instead.
 */
export function addressGroup(address: string): string {
  if (!address.includes(":") || !parseIpv6(address)) return unparsed(address);
  const middleZero = group(2) === 0 && group(3) === 0 && group(4) === 0;
  const mapped = middleZero && group(0) === 0 && group(1) === 0 && group(5) === 0xffff;
  const nat64 = middleZero && group(0) === 0x64 && group(1) === 0xff9b && group(5) === 0;
  if (mapped || nat64) {
    const g = group(6);
    const h = group(7);
    return `${g >> 8}.${g & 0xff}.${h >> 8}.${h & 0xff}`;
  }
  return `${group(0).toString(16)}:${group(1).toString(16)}:${group(2).toString(16)}:${group(3).toString(16)}::/64`;
}

function unparsed(text: string): string {
  return text.length <= MAX_UNPARSED ? text : text.slice(0, MAX_UNPARSED);
}

/** The eight 16-bit groups `parseIpv6` read (reused: parsing allocates nothing). */
const GROUPS = new Uint16Array(8);

const group = (i: number): number => GROUPS[i] as number;

const COLON = 58;
const DOT = 46;

/**
 * Reads an IPv6 address (RFC 4291 text forms: `::` once, 1-4 hex digits a group, a dotted IPv4
 * address as the last two groups; in brackets or not; a zone id after `%` ignored) into `GROUPS`;
 * `false` when `address` is none.
 */
function parseIpv6(address: string): boolean {
  let start = 0;
  let end = address.length;
  if (address.charCodeAt(0) === 91 && address.charCodeAt(end - 1) === 93) {
    start = 1; // [ … ]
    end -= 1;
  }
  const zone = address.indexOf("%", start);
  if (zone !== -1 && zone < end) end = zone;
  if (end - start < 2 || end - start > MAX_IPV6) return false;
  let count = 0;
  /** Where `::` stands (the number of groups before it), or -1. */
  let gap = -1;
  let i = start;
  if (address.charCodeAt(i) === COLON) {
    if (address.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    let value = 0;
    let j = i;
    for (; j < end; j++) {
      const digit = hexDigit(address.charCodeAt(j));
      if (digit < 0) break;
      value = value * 16 + digit;
    }
    if (j < end && address.charCodeAt(j) === DOT) {
      // A dotted IPv4 address: the last two groups.
      const v4 = ipv4Value(address, i, end);
      if (v4 === undefined || count > 6) return false;
      GROUPS[count++] = v4 >>> 16;
      GROUPS[count++] = v4 & 0xffff;
      break;
    }
    if (j === i || j - i > 4) return false;
    GROUPS[count++] = value;
    if (j === end) break;
    if (address.charCodeAt(j) !== COLON) return false;
    j += 1;
    if (j < end && address.charCodeAt(j) === COLON) {
      if (gap !== -1) return false;
      gap = count;
      j += 1;
    } else if (j === end) {
      return false; // a trailing single colon
    }
    i = j;
  }
  if (gap === -1) return count === 8;
  if (count > 7) return false;
  // Moves the groups after `::` to the end, and fills the gap with zeros.
  const after = count - gap;
  for (let k = 0; k < after; k++) GROUPS[7 - k] = GROUPS[count - 1 - k] as number;
  GROUPS.fill(0, gap, 8 - after);
  return true;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * The dotted-decimal IPv4 address `text[start, end)` as one 32-bit number (no leading zeros, as
 * `inet_pton`), or `undefined`.
 */
function ipv4Value(text: string, start: number, end: number): number | undefined {
  let value = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    let octet = 0;
    let j = i;
    for (; j < end && j - i < 4; j++) {
      const code = text.charCodeAt(j);
      if (code < 48 || code > 57) break;
      octet = octet * 10 + (code - 48);
    }
    const digits = j - i;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(i) === 48))
      return undefined;
    value = value * 256 + octet;
    parts += 1;
    if (parts === 4) return j === end ? value : undefined;
    if (j >= end || text.charCodeAt(j) !== DOT) return undefined;
    i = j + 1;
  }
  return undefined;
}
