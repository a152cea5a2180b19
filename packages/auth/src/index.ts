export type { FetchLike } from "./_http.ts";
export type { AlbOidcOptions } from "./alb.ts";
export { albOidc } from "./alb.ts";
export type { CloudflareAccessOptions } from "./cloudflare-access.ts";
export { cloudflareAccess } from "./cloudflare-access.ts";
export type { AuthErrorReporter, AuthErrorSource } from "./errors.ts";
export { AuthUnavailableError } from "./errors.ts";
export { oauthResourceServer } from "./resource-server.ts";
export type { IntrospectionOptions, OAuthResourceServerOptions } from "./resource-server-options.ts";
