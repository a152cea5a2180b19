/**
 * Cryptographically secure random bytes without loading Node's crypto on a cold start. The first use
 * of `crypto.getRandomValues` on Node — like any use of `node:crypto` — loads Node's whole crypto
 * implementation: ~23 ms of a Lambda cold start under the runtime's `--expose-gc` (measured on Node
 * 24), paid by the first legacy `initialize` (its session id) of every fresh instance. On Node this
 * reads the kernel's CSPRNG, `/dev/urandom`, through `node:fs` (loaded at startup anyway; reached
 * through `process.getBuiltinModule`, so no `node:` import reaches other runtimes); everywhere else,
 * and wherever that device cannot be read, it is `crypto.getRandomValues`.
 */
import { nodeBuiltin } from "./_node-builtin.ts";

interface NodeFs {
  openSync(path: string, flags: string): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
}

/** `node:fs` where the kernel device should be used (Node 20.16+), `null` elsewhere or once it failed. */
let fs: NodeFs | null | undefined;

function nodeFs(): NodeFs | null {
  if (fs !== undefined) return fs;
  fs = null;
  // Bun's `crypto.getRandomValues` costs nothing to load (nor do Deno's and workerd's, which
  // `nodeBuiltin` leaves out).
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) return fs;
  const module = nodeBuiltin("node:fs") as NodeFs | undefined;
  if (typeof module?.openSync === "function" && typeof module.readSync === "function") fs = module;
  return fs;
}

/** Fills `bytes` from /dev/urandom; `false` (and the device is not tried again) when it cannot. */
function fromDevice(file: NodeFs, bytes: Uint8Array): boolean {
  let fd: number | undefined;
  try {
    fd = file.openSync("/dev/urandom", "r");
    for (let at = 0; at < bytes.length; ) {
      const read = file.readSync(fd, bytes, at, bytes.length - at, null);
      if (read <= 0) throw new Error("/dev/urandom gave no bytes");
      at += read;
    }
    return true;
  } catch {
    fs = null;
    return false;
  } finally {
    if (fd !== undefined) {
      try {
        file.closeSync(fd);
      } catch {}
    }
  }
}

/** `bytes`, filled with cryptographically secure random bytes (any length). */
export function fillRandom<T extends Uint8Array>(bytes: T): T {
  const file = nodeFs();
  if (file !== null && fromDevice(file, bytes)) return bytes;
  // getRandomValues takes at most 65,536 bytes a call.
  for (let at = 0; at < bytes.length; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65_536, bytes.length)));
  }
  return bytes;
}
