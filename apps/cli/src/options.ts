/**
 * What the command definitions share: the options every command takes, option values and their
 * parsers, and how commander's usage errors read. Only types come from the contract, so defining
 * commands (and printing `--help`) never loads zod.
 */
import { InvalidArgumentError, type Command, type OutputConfiguration } from "commander";
import type { Priority, SORT_FIELDS, TaskSort } from "@todo/contract";

/** `-p` values, checked against the contract's `Priority` at compile time. */
export const PRIORITY_CHOICES = [
  "none",
  "low",
  "medium",
  "high",
] as const satisfies readonly Priority[];

type SortField = (typeof SORT_FIELDS)[number];

/** What `--sort` accepts, lower-cased, and the contract's field each names. */
const SORT_NAMES: Record<string, SortField> = {
  due: "dueDate",
  duedate: "dueDate",
  created: "createdAt",
  createdat: "createdAt",
  updated: "updatedAt",
  updatedat: "updatedAt",
  priority: "priority",
  title: "title",
  removed: "deletedAt",
  deleted: "deletedAt",
  deletedat: "deletedAt",
};

/** The `--sort` spellings offered by shell completion (any case, and the API's names, also work). */
export const SORT_WORDS = ["due", "created", "updated", "priority", "title", "removed"].flatMap(
  (word) => [word, `-${word}`],
);

/**
 * Parses `--sort`: a field in plain words (`due`, `created`, `updated`, `priority`, `title`,
 * `removed`) or the API's names (`dueDate`, `createdAt`), any case; a leading `-` sorts descending.
 * @throws {InvalidArgumentError} for anything else (commander makes it a usage error).
 */
export function parseSort(value: string): TaskSort {
  const match = /^(-?)([a-z]+)$/.exec(value.trim().toLowerCase());
  const field = match ? SORT_NAMES[match[2]!] : undefined;
  if (!match || !field) {
    throw new InvalidArgumentError(
      "sort by due, created, updated, priority or title (removed with --deleted), with a leading - for descending.",
    );
  }
  return `${match[1] as "" | "-"}${field}`;
}

/** A parser for a whole-number option from `min` to `max`. */
export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

/** Collects a repeatable option (`-t a -t b`) into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The values of the options every command takes, as commander hands them to an action. */
export interface CommonOptionValues {
  json?: boolean;
  apiUrl?: string;
}

/**
 * Gives every command of `program` the options all commands take (`--json`, `--api-url`), and
 * makes commander's usage errors one sentence naming the command's own help: `Unknown option
 * '--bogus'; run \`todo add --help\` for usage.`
 */
export function finishCommands(program: Command): void {
  program.configureOutput(usageErrorOutput("todo"));
  // Commands with subcommands (`todo project add`) give the options to each subcommand.
  const leaves = program.commands.flatMap((command) =>
    command.commands.length
      ? command.commands.map((sub) => [sub, `todo ${command.name()} ${sub.name()}`] as const)
      : [[command, `todo ${command.name()}`] as const],
  );
  for (const [command, name] of leaves) {
    command
      .option("--json", "print JSON on stdout (shape below); messages go to stderr")
      .option(
        "--api-url <url>",
        "the todo API to talk to (default: TODO_API_URL, the last login, or http://127.0.0.1:3000)",
      )
      .configureOutput(usageErrorOutput(name));
  }
}

function usageErrorOutput(name: string): OutputConfiguration {
  return {
    outputError: (text, write) => {
      const sentence = text
        .trim()
        .replace(/^error: /, "")
        .replace(/\s*\n\s*\(Did you mean/, " (did you mean")
        .replace(/\.\s+(\w)/g, (_, letter: string) => `: ${letter.toLowerCase()}`)
        .replace(/\.$/, "");
      write(
        `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}; run \`${name} --help\` for usage.\n`,
      );
    },
  };
}
