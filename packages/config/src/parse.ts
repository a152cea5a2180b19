/** Reading a definitions document from JSON or YAML text, or taking an object, then validating it. */
import { PorticoError } from "@portico/core";
import { parse } from "yaml";
import type { ConfigDocument } from "./types.ts";
import { validateDocument } from "./validate.ts";

/**
 * The validated document in `source`: JSON or YAML text (YAML is a superset of JSON, so either is
 * read by the YAML parser), or an object. Throws `PorticoError("invalid_config", …)`.
 */
export function parseDefinitions(source: string | object): ConfigDocument {
  if (typeof source !== "string") return validateDocument(source);
  let value: unknown;
  try {
    value = parse(source, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new PorticoError(
      "invalid_config",
      `(document): not valid JSON or YAML: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return validateDocument(value ?? {});
}
