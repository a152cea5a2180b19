export type { CliArgs } from "./args.ts";
export { parseCliArgs, USAGE, UsageError } from "./args.ts";
export type { CliIo } from "./cli.ts";
export { run } from "./cli.ts";
export type { PackageManager, ProjectOptions, Runtime, StoreKind } from "./options.ts";
export {
  defaultStores,
  invalidPackageName,
  PACKAGE_MANAGERS,
  packageNameFrom,
  RUNTIMES,
  STORE_KINDS,
  STORES_BY_RUNTIME,
} from "./options.ts";
export type { ProjectFiles } from "./templates/index.ts";
export { renderProject } from "./templates/index.ts";
export { LIBRARY_VERSIONS, porticoVersion, TOOL_VERSIONS } from "./versions.ts";
export { checkTarget, TargetError, writeProject } from "./write.ts";
