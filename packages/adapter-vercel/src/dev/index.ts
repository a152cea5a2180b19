export type { DevStoresOptions } from "./dev-stores.ts";
export { devStores } from "./dev-stores.ts";
export type { DevStoresServer, ServeDevStoresOptions } from "./serve-dev-stores.ts";
export { serveDevStores } from "./serve-dev-stores.ts";
export type { StartVercelDevOptions, VercelDev } from "./start-vercel-dev.ts";
export { startVercelDev } from "./start-vercel-dev.ts";
export type { VercelDevDefaults, VercelDevDefaultsOptions } from "./vercel-dev-defaults.ts";
export { isVercelDev, stopVercelDevDaemon, vercelDevDefaults } from "./vercel-dev-defaults.ts";
