#!/usr/bin/env node
// create-portico <dir> --runtime node|lambda-sam|lambda-cdk|vercel|workers [options]: see --help.
import { run } from "../dist/index.js";

try {
  process.exitCode = await run(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
  });
} catch (error) {
  // Not a usage problem: still one line, no stack.
  console.error(`create-portico: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
