/**
 * Module hooks (https://nodejs.org/api/module.html#customization-hooks) that load `.ts`/`.mts`
 * files as ES modules with their types removed by Sucrase. Registered by `typescript.mjs`.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "sucrase";

const TYPESCRIPT = /\.m?ts$/;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !TYPESCRIPT.test(new URL(url).pathname)) return nextLoad(url, context);
  const filePath = fileURLToPath(url);
  const { code } = transform(await readFile(filePath, "utf8"), {
    transforms: ["typescript"],
    filePath,
    disableESTransforms: true,
    keepUnusedImports: false,
  });
  return { format: "module", source: code, shortCircuit: true };
}
