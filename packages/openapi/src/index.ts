export { fromOpenAPI } from "./from-openapi.ts";
export { GET_AS_RESOURCES } from "./routes.ts";
export type {
  OpenApiAuth,
  OpenApiDocument,
  OpenApiFetch,
  OpenApiOperation,
  OpenApiOptions,
  OpenApiParameter,
  OpenApiRegistration,
  RouteKind,
  RouteMap,
  SkippedOperation,
} from "./types.ts";
