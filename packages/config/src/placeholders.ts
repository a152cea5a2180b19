/** `{arg}` and `${ENV_NAME}` placeholders in URLs, headers and prompt texts. */

/** One pass over both forms, so a filled value is never read again as a placeholder. */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/** The argument names a text's `{arg}` placeholders use, in order. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].flatMap((m) => (m[2] === undefined ? [] : [m[2]]));
}

/** The environment names a text's `${ENV_NAME}` placeholders use. */
export function envNamesOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
}

/** An argument as text: strings as they are, other JSON as JSON text. */
export function argumentText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Fills `{arg}` placeholders from `args` (each value passed through `encode`) and `${ENV}` ones
 * from `env` (without `env`, those are kept as written). Resolves the text, or the first thing missing (an absent argument, an unset variable).
 */
export function fill(
  text: string,
  args: Record<string, unknown>,
  env?: Readonly<Record<string, string | undefined>>,
  encode: (value: string) => string = (v) => v,
): { text: string } | { missing: string } {
  let missing: string | undefined;
  const filled = text.replace(PLACEHOLDER, (_, envName: string | undefined, arg: string | undefined) => {
    if (envName !== undefined) {
      if (env === undefined) return `\${${envName}}`; // no environment here: kept as written
      const value = env[envName];
      if (value === undefined) missing ??= `environment variable ${envName}`;
      return value ?? "";
    }
    const value = args[arg as string];
    if (value === undefined || value === null) {
      missing ??= `argument "${arg}"`;
      return "";
    }
    return encode(argumentText(value));
  });
  return missing === undefined ? { text: filled } : { missing };
}
