#!/usr/bin/env node
// The `todo` executable. `todo --version` answers from this file alone, shell completion's
// `todo __complete` from one small module; every other run loads the program (commander, the commands and what they share), and the few commands that need them
// load the contract (zod) or the prompts when they run.
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
} else if (args[0] === "__complete") {
  // Shell completion asks for project names on Tab (`todo __complete projects`): the module that
  // answers it alone, without commander or the commands. Hidden: no help lists it.
  void import("./complete.js").then(({ complete }) => complete(args.slice(1), CLI_VERSION));
} else {
  // Node 22.1+ keeps compiled code on disk between runs; Node 20 has no such cache (nor its type).
  const module = process.getBuiltinModule("node:module") as { enableCompileCache?: () => unknown };
  module.enableCompileCache?.();
  void import("./program.js").then(async ({ main }) => {
    process.exitCode = await main(process.argv, CLI_VERSION);
  });
}
