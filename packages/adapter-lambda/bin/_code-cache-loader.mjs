// Lambda entry written by portico-lambda-cache (@portico/adapter-lambda): loads the CommonJS bundle
// "__BUNDLE__" with the V8 code cache built for it ("__BUNDLE__.v8cache"), so a cold start neither
// parses the bundle nor compiles the functions its first requests run. Without a usable cache (none,
// another Node version or architecture, other Node flags, a changed bundle) it loads the bundle as
// usual (Node's own `require`) and says why once on stderr. PORTICO_CODE_CACHE=off skips the cache.
// Built-ins by process.getBuiltinModule (Node 20.16+): an `import` of node:fs builds its ES module
// namespace, reading every lazy export, which costs a cold start ~10 ms.
const builtin = (name) => process.getBuiltinModule?.(name) ?? import(name);
const { readFileSync } = await builtin("node:fs");
const { fileURLToPath } = await builtin("node:url");
const { Script, constants } = await builtin("node:vm");

const file = fileURLToPath(new URL("./__BUNDLE__", import.meta.url));
const dir = fileURLToPath(new URL(".", import.meta.url));

/** The cache's data, or why there is none to use. */
function readCache() {
  if (process.env.PORTICO_CODE_CACHE === "off") return { status: "off" };
  let bytes;
  try {
    bytes = readFileSync(`${file}.v8cache`);
  } catch {
    return {
      status: "missing",
      reason: `${file}.v8cache is missing: run portico-lambda-cache on the bundle`,
    };
  }
  const end = bytes.indexOf(10);
  let header;
  try {
    header = JSON.parse(bytes.subarray(0, end).toString());
  } catch {}
  if (header?.format !== "portico-v8-code-cache" || header.version !== 1) {
    return { status: "invalid", reason: "the .v8cache file is not a portico-lambda-cache file" };
  }
  if (header.node !== process.version || header.arch !== process.arch) {
    return {
      status: "mismatch",
      reason: `built with Node ${header.node} (${header.arch}), running ${process.version} (${process.arch}): rebuild it with the function's Node version`,
    };
  }
  const data = bytes.subarray(end + 1);
  if (data.byteLength !== header.bytes)
    return { status: "invalid", reason: "the .v8cache file is truncated" };
  return { status: "accepted", data, flags: Array.isArray(header.flags) ? header.flags : [] };
}

/** The bundle's exports, compiled with the cache; `undefined` when V8 refuses it. */
function withCache(data) {
  const source = readFileSync(file, "utf8");
  // As Node wraps a CommonJS module (the warm-up compiled it so); the offset keeps line 1's columns right.
  const WRAPPER = "(function (exports, require, module, __filename, __dirname) {";
  const options = { filename: file, columnOffset: -WRAPPER.length, cachedData: data };
  // import() inside the bundle resolves as in any module of the function (Node 21+).
  if (constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER !== undefined) {
    options.importModuleDynamically = constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  }
  const script = new Script(`${WRAPPER}${source}\n})`, options);
  if (script.cachedDataRejected) return undefined;
  // The bundle's `require`: built-ins straight from the runtime (a bundle needs nothing else unless
  // it left packages external), the module system's own require only when asked for another module.
  const require = (id) => process.getBuiltinModule(id) ?? moduleRequire()(id);
  require.resolve = (id, options) => moduleRequire().resolve(id, options);
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, file, dir);
  return mod.exports;
}

let required;
const moduleRequire = () => (required ??= process.getBuiltinModule("node:module").createRequire(file));

const cache =
  process.getBuiltinModule === undefined
    ? { status: "unsupported", reason: `Node ${process.version} lacks process.getBuiltinModule (20.16+)` }
    : readCache();
let exported = cache.status === "accepted" ? withCache(cache.data) : undefined;
if (cache.status === "accepted" && exported === undefined) {
  cache.status = "rejected";
  cache.reason = `V8 refused it (built under Node flags [${cache.flags.join(" ")}], running under [${process.execArgv.join(" ")}], or the bundle changed since): rebuild it`;
}
delete cache.data;
delete cache.flags;
if (cache.status !== "accepted" && cache.status !== "off") {
  console.warn(`[portico-lambda-cache] code cache not used (${cache.status}): ${cache.reason}`);
}
// Without the cache, the bundle loads as Node loads any CommonJS module (source maps included).
exported ??= (await builtin("node:module")).createRequire(import.meta.url)(file);

/**
 * What became of the code cache: status "accepted", "off", "missing", "mismatch", "invalid",
 * "rejected" or "unsupported" (with a reason).
 */
export const codeCache = Object.freeze(cache);
// @exports
