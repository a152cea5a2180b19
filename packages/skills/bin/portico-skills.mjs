#!/usr/bin/env node
// The `portico-skills` command: see `@portico/skills/node` (skillsCli).
import { main } from "../dist/cli.js";

process.exitCode = await main(process.argv.slice(2));
