/**
 * A resource template's matched variables as tool arguments: the inverse of the parameter styles
 * (`serialize.ts`) for what a URI carries. A list's text is split at its style's delimiter (`,`,
 * or a space or `|` for `spaceDelimited`/`pipeDelimited`); an object's text is read as
 * `R,100,G,200` (not exploded) or `R=100,G=200` (exploded), or from the `R=100` pieces of an
 * exploded `label` (`{.color*}`); an exploded `form` object is gathered from its members'
 * variables. Text that does not read as the object stays text, so the checks that follow refuse it
 * ("Expected object"). The values stay strings: `template-arguments.ts` reads them as their types.
 */
import type { ResourceShape, TemplateVariable } from "./resources.ts";
import { isObject } from "./util.ts";

/** The delimiter of a non-exploded list or object, by style; the others use a comma. */
const DELIMITERS: Readonly<Record<string, string>> = { spaceDelimited: " ", pipeDelimited: "|" };

/** An own, enumerable data property, even for a name like `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `["R=100", "G=200"]` as `{ R: "100", G: "200" }`; `undefined` when a piece has no `=`. */
function fromPairs(pieces: readonly string[]): Record<string, string> | undefined {
  const object: Record<string, string> = {};
  for (const piece of pieces) {
    const eq = piece.indexOf("=");
    if (eq <= 0) return undefined;
    setOwn(object, piece.slice(0, eq), piece.slice(eq + 1));
  }
  return object;
}

/** `["R", "100", "G", "200"]` as `{ R: "100", G: "200" }`; `undefined` for an odd count. */
function fromList(pieces: readonly string[]): Record<string, string> | undefined {
  if (pieces.length % 2 !== 0) return undefined;
  const object: Record<string, string> = {};
  for (let i = 0; i < pieces.length; i += 2) setOwn(object, pieces[i]!, pieces[i + 1]);
  return object;
}

/** One variable's matched value as its argument's value. */
function argumentValue({ param, kind }: TemplateVariable, value: string | string[]): unknown {
  if (kind === "scalar") return value;
  const delimiter = DELIMITERS[param.style] ?? ",";
  const pieces = Array.isArray(value) ? value : value.split(delimiter);
  if (kind === "list") return pieces;
  // Exploded `simple` and `label` objects come as `R=100` pieces; the delimited styles have no
  // exploded form (they are joined as not exploded), and an exploded `form` object has members.
  const exploded = param.explode && (param.style === "simple" || param.style === "label");
  const object = exploded ? fromPairs(pieces) : fromList(pieces);
  return object ?? value;
}

/** Template variables (strings, or lists for exploded ones) as tool arguments. */
export function argumentsOf(
  variables: ResourceShape["variables"],
  values: Record<string, string | string[]>,
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [name, variable] of variables) {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) continue;
    const { arg, member } = variable;
    if (member === undefined) {
      setOwn(args, arg, argumentValue(variable, value));
      continue;
    }
    if (!isObject(args[arg])) setOwn(args, arg, {});
    setOwn(args[arg] as Record<string, unknown>, member, Array.isArray(value) ? value.join(",") : value);
  }
  return args;
}
