/**
 * The parameter styles this package sends, by location, as OpenAPI 3.0/3.1 define them: a
 * parameter with another style (a `matrix` query parameter, a `form` path parameter, a made-up
 * one) leaves its operation out, with the reason, instead of being sent in a style the API did
 * not ask for.
 */
import type { Parameter } from "./operations.ts";

const STYLES: Readonly<Record<Parameter["in"], readonly string[]>> = {
  path: ["simple", "label", "matrix"],
  query: ["form", "spaceDelimited", "pipeDelimited", "deepObject"],
  header: ["simple"],
  cookie: ["form"],
};

/** Why the parameter cannot be sent in its style, or `undefined`. JSON `content` has no style. */
export function styleProblem(param: Parameter): string | undefined {
  if (param.json) return undefined;
  const allowed = STYLES[param.in];
  if (allowed.includes(param.style)) return undefined;
  return `its ${param.in} parameter ${param.name} has style "${param.style}", which is not one for ${param.in} parameters (${allowed.join(", ")})`;
}
