/**
 * The `todo` program: builds the commander tree from one `registerXCommand` per command, and
 * `main()`, the one place that prints an error and picks the exit code (DESIGN §4: 0 ok, 1 API or
 * network failure, 2 usage, 4 not logged in or session expired). Command actions reach it through
 * `commandAction`, which has already turned any failure into a one-sentence {@link CliError}.
 */
import { Command, CommanderError } from "commander";
import { registerAddCommand } from "./commands/add.js";
import { registerCompletionCommand } from "./commands/completion.js";
import { registerDoneCommand } from "./commands/done.js";
import { registerEditCommand } from "./commands/edit.js";
import { registerListCommand } from "./commands/list.js";
import { registerLoginCommand } from "./commands/login.js";
import { registerLogoutCommand } from "./commands/logout.js";
import { registerRestoreCommand } from "./commands/restore.js";
import { registerRmCommand } from "./commands/rm.js";
import { registerShowCommand } from "./commands/show.js";
import { registerSignupCommand } from "./commands/signup.js";
import { registerUndoCommand } from "./commands/undo.js";
import { registerWhoamiCommand } from "./commands/whoami.js";
import { CliError, ExitCode } from "./errors.js";
import { finishCommands } from "./options.js";

/**
 * Builds the program with every command registered. Parsing errors throw (`exitOverride`) after
 * commander has printed them.
 */
export function createProgram(version: string): Command {
  const program = new Command("todo")
    .description("Your tasks, from the terminal. Talks to the todo API.")
    .version(version, "-v, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .exitOverride();
  program.addHelpText(
    "after",
    `
Examples:
  $ todo signup --email you@example.com
  $ todo add Buy milk --due tomorrow -p high -t home
  $ todo list --overdue
  $ todo done 3 4

Exit codes: 0 ok, 1 API or network failure, 2 usage error, 4 not logged in or session expired.
Environment: TODO_API_URL, TODO_TOKEN, TODO_CONFIG_DIR, NO_COLOR.`,
  );
  for (const register of [
    registerSignupCommand,
    registerLoginCommand,
    registerLogoutCommand,
    registerWhoamiCommand,
    registerAddCommand,
    registerListCommand,
    registerShowCommand,
    registerDoneCommand,
    registerUndoCommand,
    registerEditCommand,
    registerRmCommand,
    registerRestoreCommand,
    registerCompletionCommand,
  ]) {
    register(program);
  }
  finishCommands(program);
  return program;
}

/**
 * Runs the CLI on `argv` (as `process.argv`) and returns the exit code. Every failure ends here:
 * commander has already printed its own usage errors (and help, for `todo help`, exit 0); a
 * {@link CliError} prints its one sentence.
 */
export async function main(argv: readonly string[], version: string): Promise<number> {
  try {
    await createProgram(version).parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    const failure =
      error instanceof CliError
        ? error
        : new CliError(
            `Unexpected error: ${error instanceof Error ? error.message : String(error)}; please report it.`,
          );
    process.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}
