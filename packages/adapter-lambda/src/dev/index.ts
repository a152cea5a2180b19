export { installAwslambda } from "./polyfill.ts";
export type { LambdaDevServer, ServeLambdaOptions } from "./serve-lambda.ts";
export { serveLambda } from "./serve-lambda.ts";
