#!/usr/bin/env node
// The `todo` executable. Loads only commander and the command definitions; each command's action
// imports what it needs (client, zod, prompts) when it runs, so `todo --help` starts fast.
import { main } from "./program.js";

process.exitCode = await main(process.argv);
