/** What the rest of the core uses of the URI template library. */
export type {
  UriTemplateMatch,
  UriTemplateScalar,
  UriTemplateValue,
  UriTemplateVariables,
} from "./uri-template.ts";
export {
  URI_TEMPLATE_MAX_LENGTH,
  URI_TEMPLATE_MAX_URI_LENGTH,
  UriTemplate,
  UriTemplateError,
} from "./uri-template.ts";
