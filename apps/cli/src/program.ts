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
import { registerProjectsCommands } from "./commands/projects.js";
import { registerRestoreCommand } from "./commands/restore.js";
import { registerRmCommand } from "./commands/rm.js";
import { registerShowCommand } from "./commands/show.js";
import { registerSignupCommand } from "./commands/signup.js";
import { registerTimezoneCommand } from "./commands/timezone.js";
import { registerUndoCommand } from "./commands/undo.js";
import { registerWhoamiCommand } from "./commands/whoami.js";
import { CliError, ExitCode } from "./errors.js";
import { finishCommands } from "./options.js";

/** One command: the names it answers to, and how it registers itself. */
interface CommandEntry {
  /** Its name and aliases, as its file declares them (one missing here costs only speed). */
  readonly names: readonly string[];
  readonly register: (program: Command) => void;
  /** It reads the whole program: `completion` describes every command. */
  readonly needsEveryCommand?: boolean;
}

const COMMANDS: readonly CommandEntry[] = [
  { names: ["signup"], register: registerSignupCommand },
  { names: ["login"], register: registerLoginCommand },
  { names: ["logout"], register: registerLogoutCommand },
  { names: ["whoami"], register: registerWhoamiCommand },
  { names: ["timezone"], register: registerTimezoneCommand },
  { names: ["add"], register: registerAddCommand },
  { names: ["list", "ls"], register: registerListCommand },
  { names: ["show"], register: registerShowCommand },
  { names: ["done"], register: registerDoneCommand },
  { names: ["undo"], register: registerUndoCommand },
  { names: ["edit"], register: registerEditCommand },
  { names: ["rm", "remove"], register: registerRmCommand },
  { names: ["restore"], register: registerRestoreCommand },
  { names: ["projects", "project"], register: registerProjectsCommands },
  { names: ["completion"], register: registerCompletionCommand, needsEveryCommand: true },
];

/**
 * Builds the program. When `commandName` (the first argument of the run) names a command, only
 * that one is registered: building all of them costs a `todo list` ~2 ms it would throw away.
 * Help, unknown names and `completion` get every command. Parsing errors throw (`exitOverride`)
 * after commander has printed them.
 */
export function createProgram(version: string, commandName?: string): Command {
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
Environment: TODO_API_URL, TODO_TOKEN, TODO_CONFIG_DIR, TODO_CACHE_DIR, NO_COLOR.`,
  );
  const named = COMMANDS.find(
    (entry) => commandName !== undefined && entry.names.includes(commandName),
  );
  const entries = named && !named.needsEveryCommand ? [named] : COMMANDS;
  for (const entry of entries) entry.register(program);
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
    await createProgram(version, argv[2]).parseAsync(argv);
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
