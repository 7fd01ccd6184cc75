#!/usr/bin/env node
// The `todo` executable. `todo --version` answers before anything else loads; every other run loads
// commander and the command definitions, and each command's action imports what it needs (client,
// zod, prompts) when it runs, so `todo --help` starts fast too.
import module from "node:module";
import { CLI_VERSION } from "./version.js";

// A reader that stops early (`todo list | head -1`) closes the pipe: drop the rest of the output
// and let the command finish, rather than die on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  // What commander prints for this argv, without the ~15 ms it takes to load commander.
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  // Node 22.1+ caches compiled code on disk across runs; Node 20 lacks the API (and its types).
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const { main } = await import("./program.js");
  process.exitCode = await main(process.argv);
}
