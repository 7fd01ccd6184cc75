/**
 * Helpers for commands that name tasks by number: parsing ids, the "no task N" error, and running
 * one change over several ids (`todo done 1 2 3`).
 */
import { ApiError } from "@todo/client";
import type { Context } from "./context.js";
import { CliError, UsageError } from "./errors.js";

const MAX_TASK_ID = 2_147_483_647;

/**
 * Parses a task number as `todo list` shows it.
 * @throws {UsageError} for anything but a whole number from 1 to 2^31 − 1.
 */
export function parseTaskId(raw: string): number {
  const id = /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_TASK_ID) {
    throw new UsageError(`"${raw}" is not a task number; use the numbers \`todo list\` shows.`);
  }
  return id;
}

/** The error for a task that does not exist for this user (or belongs to someone else). */
export function noTask(id: number): CliError {
  return new CliError(`No task ${id}; run \`todo list --all\` to see your task numbers.`);
}

/** Runs `call`, turning the API's 404 into {@link noTask}. */
export async function onTask<T>(id: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && error.code === "not_found") throw noTask(id);
    throw error;
  }
}

/**
 * Applies `change` to each id in order. A missing task is reported on stderr and the others still
 * change; any other failure (network, session) stops at once. Prints one `describe(result)` line
 * per task, or with `--json` `toJson(results)` (default: the task for one id, an array for several).
 * @throws {UsageError} before anything is sent, when an id is not a number.
 * @throws {CliError} at the end when some tasks were missing (exit 1).
 */
export async function changeTasks<T>(
  context: Context,
  rawIds: readonly string[],
  change: (id: number) => Promise<T>,
  describe: (result: T) => string,
  toJson: (results: T[]) => unknown = (results) => (rawIds.length === 1 ? results[0] : results),
): Promise<void> {
  const ids = rawIds.map(parseTaskId);
  context.requireLogin();
  const results: T[] = [];
  const missing: number[] = [];
  for (const id of ids) {
    try {
      const result = await onTask(id, () => change(id));
      results.push(result);
      if (!context.output.json) context.output.message(describe(result));
    } catch (error) {
      const failure = context.describe(error);
      if (ids.length === 1 || failure.message !== noTask(id).message) throw failure;
      missing.push(id);
      context.output.warn(failure.message);
    }
  }
  if (context.output.json && results.length) context.output.printJson(toJson(results));
  if (missing.length) {
    throw new CliError(
      `${missing.length} of ${ids.length} tasks were not found (${missing.join(", ")}); the others were changed.`,
    );
  }
}
