/**
 * Reading secrets and answers: a hidden prompt on a terminal (@inquirer/password, which mutes the
 * echo), or the first line of stdin when it is piped, so scripts can log in without a TTY.
 * Passwords never come from argv, where `ps` and shell history would show them.
 * Prompts write to stderr, keeping stdout clean for `--json`.
 */
import { text } from "node:stream/consumers";
import { UsageError } from "./errors.js";

/** True when stdin is a terminal a person can type into. */
export function stdinIsTerminal(): boolean {
  return Boolean(process.stdin.isTTY);
}

let pipedLines: string[] | undefined;

/** The next line of piped stdin (stdin is read once, to its end). */
async function nextPipedLine(): Promise<string | undefined> {
  pipedLines ??= (await text(process.stdin)).split(/\r?\n/);
  return pipedLines.shift();
}

/**
 * Reads a password: hidden prompt on a TTY (asked twice when `confirm` is set), else one line of
 * stdin.
 * @throws {UsageError} when stdin is piped but empty, or the two entries differ.
 */
export async function readPassword(
  options: { message?: string; confirm?: boolean } = {},
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
  const first = await password({ message: options.message ?? "Password:", mask: false }, context);
  if (options.confirm) {
    const second = await password({ message: "Repeat password:", mask: false }, context);
    if (first !== second) throw new UsageError("The two passwords differ; run the command again.");
  }
  return first;
}

/**
 * Reads a line of text such as an email: a prompt on a TTY, else {@link UsageError} naming the
 * option to pass instead (piped stdin is reserved for the password).
 */
export async function readText(options: { message: string; option: string }): Promise<string> {
  if (!stdinIsTerminal()) {
    throw new UsageError(`Pass ${options.option} when stdin is not a terminal.`);
  }
  const { default: input } = await import("@inquirer/input");
  return input({ message: options.message, required: true }, { output: process.stderr });
}

/** Reads all of piped stdin, trimmed (for `login --with-token`). */
export async function readAllStdin(): Promise<string> {
  if (stdinIsTerminal()) {
    const { default: password } = await import("@inquirer/password");
    return (
      await password({ message: "Access token:", mask: false }, { output: process.stderr })
    ).trim();
  }
  return (await text(process.stdin)).trim();
}
