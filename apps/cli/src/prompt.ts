/**
 * Reading secrets and answers: a hidden prompt on a terminal (@inquirer/password, which mutes the
 * echo), or the first line of stdin when it is piped, so scripts can log in without a TTY.
 * Passwords never come from argv, where `ps` and shell history would show them.
 * Prompts write to stderr, keeping stdout clean for `--json`.
 */
import { UsageError } from "./errors.js";

/** True when stdin is a terminal a person can type into. */
export function stdinIsTerminal(): boolean {
  return Boolean(process.stdin.isTTY);
}

/** All of stdin as text. */
async function readStdin(): Promise<string> {
  const { text } = process.getBuiltinModule("node:stream/consumers");
  return text(process.stdin);
}

let pipedLines: string[] | undefined;

/** The next line of piped stdin (stdin is read once, to its end). */
async function nextPipedLine(): Promise<string | undefined> {
  pipedLines ??= (await readStdin()).split(/\r?\n/);
  return pipedLines.shift();
}

/**
 * Reads a password: a hidden prompt on a TTY, else one line of stdin.
 * On a TTY, a password `check` refuses (it returns the problem as a sentence) is said at once and
 * asked again; with `confirm`, it is asked twice, and asked again from the start when the two
 * differ. Piped, `check` is left to the caller, which has no one to ask again.
 * @throws {UsageError} when stdin is piped but empty.
 */
export async function readPassword(
  options: {
    message?: string;
    confirm?: boolean;
    check?: (password: string) => string | undefined;
  } = {},
): Promise<string> {
  if (!stdinIsTerminal()) {
    const line = await nextPipedLine();
    if (!line)
      throw new UsageError(
        "No password on stdin; pipe it in (for example `printf '%s\\n' \"$PASSWORD\" | todo login --email you@example.com`) or run on a terminal.",
      );
    return line;
  }
  const { default: password } = await import("@inquirer/password");
  const context = { output: process.stderr };
  for (;;) {
    const first = await password({ message: options.message ?? "Password:", mask: false }, context);
    const problem = options.check?.(first);
    if (problem) {
      process.stderr.write(`${problem}\n`);
      continue;
    }
    if (!options.confirm) return first;
    const second = await password({ message: "Repeat password:", mask: false }, context);
    if (first === second) return first;
    process.stderr.write("The two passwords differ; try again.\n");
  }
}

/**
 * Reads a line of text such as an email: a prompt on a TTY, which says at once what `check`
 * refuses and lets the user correct it, else {@link UsageError} naming the option to pass instead
 * (piped stdin is reserved for the password).
 */
export async function readText(options: {
  message: string;
  option: string;
  check?: (text: string) => string | undefined;
}): Promise<string> {
  if (!stdinIsTerminal()) {
    throw new UsageError(`Pass ${options.option} when stdin is not a terminal.`);
  }
  const { default: input } = await import("@inquirer/input");
  return input(
    {
      message: options.message,
      required: true,
      validate: (text) => options.check?.(text) ?? true,
    },
    { output: process.stderr },
  );
}

/** Reads all of piped stdin, trimmed (for `login --with-token`). */
export async function readAllStdin(): Promise<string> {
  if (stdinIsTerminal()) {
    const { default: password } = await import("@inquirer/password");
    return (
      await password({ message: "Access token:", mask: false }, { output: process.stderr })
    ).trim();
  }
  return (await readStdin()).trim();
}
