/**
 * Option values and helpers shared by the command definitions. Only types come from the contract,
 * so defining commands (and printing `--help`) never loads zod.
 */
import type { Command } from "commander";
import type { Priority, TaskSort } from "@todo/contract";

/** `-p` values, checked against the contract's `Priority` at compile time. */
export const PRIORITY_CHOICES = [
  "none",
  "low",
  "medium",
  "high",
] as const satisfies readonly Priority[];

/** `--sort` values (a leading `-` sorts descending), checked against the contract's `TaskSort`. */
export const SORT_CHOICES = [
  "createdAt",
  "-createdAt",
  "updatedAt",
  "-updatedAt",
  "dueDate",
  "-dueDate",
  "priority",
  "-priority",
  "title",
  "-title",
] as const satisfies readonly TaskSort[];

/** Adds the options every command takes: `--json` and `--api-url`. */
export function withCommonOptions(command: Command): Command {
  return command
    .option("--json", "print JSON on stdout (the API's shapes); messages go to stderr")
    .option(
      "--api-url <url>",
      "the todo API to talk to (default: TODO_API_URL, the last login, or http://127.0.0.1:3000)",
    );
}

/** Collects a repeatable option (`-t a -t b`) into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The values of {@link withCommonOptions}'s options, as commander hands them to an action. */
export interface CommonOptionValues {
  json?: boolean;
  apiUrl?: string;
}
