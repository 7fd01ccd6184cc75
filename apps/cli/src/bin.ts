#!/usr/bin/env node
// The `todo` executable. `todo --version` answers from this file alone; every other run loads
// commander and the command definitions, and each command loads what its action needs (client,
// credentials, zod, prompts) when it runs, so `todo --help` starts fast too.
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
  // What commander prints for this argv, without loading commander.
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  const { main } = await import("./program.js");
  process.exitCode = await main(process.argv, CLI_VERSION);
}
