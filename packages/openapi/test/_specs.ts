/** The real documents the tests convert, read from the dev dependencies. */
import { readFileSync } from "node:fs";

/** A file of an installed package, as text. */
export function specText(pkg: string, file: string): string {
  return readFileSync(new URL(`../node_modules/${pkg}/${file}`, import.meta.url), "utf8");
}

export const petstoreText = () => specText("@readme/oas-examples", "3.0/json/petstore.json");
export const petstore = () => JSON.parse(petstoreText()) as Record<string, any>;
export const galaxyJson = () => specText("@scalar/galaxy", "dist/3.1.json");
export const galaxyYaml = () => specText("@scalar/galaxy", "dist/3.1.yaml");
