/**
 * Helpers for commands that name tasks by number: parsing ids, the "no task N" error, the action
 * that runs one change over several ids (`todo done 1 2 3`), and changing a task only when it is
 * not already as asked, so that every message says what this run really did.
 */
import { ApiError } from "@todo/client";
import type { Task } from "@todo/contract";
import { commandAction } from "./action.js";
import type { Context } from "./context.js";
import { CliError, UsageError } from "./errors.js";
import { taskLabel } from "./format.js";
import type { CommonOptionValues } from "./options.js";
import { printable } from "./text.js";

const MAX_TASK_ID = 2_147_483_647;

/**
 * Parses a task number as `todo list` shows it.
 * @throws {UsageError} for anything but a whole number from 1 to 2^31 − 1.
 */
export function parseTaskId(raw: string): number {
  const id = /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_TASK_ID) {
    throw new UsageError(
      `"${printable(raw)}" is not a task number; use the numbers \`todo list\` shows.`,
    );
  }
  return id;
}

/** True for the API's answer to a task that does not exist for this user (or is someone else's). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.code === "not_found";
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
    if (isNotFound(error)) throw noTask(id);
    throw error;
  }
}

/** What one change did to one task: the task as it now is, and whether this run changed it. */
export interface Outcome {
  task: Task;
  changed: boolean;
}

/** How many times a change is re-read and retried when other writes keep beating it (412). */
const CONCURRENT_ATTEMPTS = 5;

/**
 * Reads task `id` and, unless `isAsked(task)`, calls `write` with the version read (to send as
 * `If-Match`), so the change applies to the state this run saw. A concurrent write (412) makes it
 * read again, and a task that became as asked meanwhile is reported unchanged.
 * @throws {ApiError} `not_found` for a missing task, or any other API failure.
 * @throws {CliError} when other writes beat it {@link CONCURRENT_ATTEMPTS} times in a row.
 */
export async function changeUnlessAlready(
  id: number,
  read: () => Promise<Task>,
  isAsked: (task: Task) => boolean,
  write: (task: Task) => Promise<Task>,
): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const current = await read();
    if (isAsked(current)) return { task: current, changed: false };
    try {
      const task = await write(current);
      return { task, changed: task.version !== current.version };
    } catch (error) {
      const stale = error instanceof ApiError && error.code === "precondition_failed";
      if (!stale) throw error;
      if (attempt >= CONCURRENT_ATTEMPTS)
        throw new CliError(`Task ${id} keeps changing under other writes; try again.`);
    }
  }
}

/** What a command that takes task numbers does to one task, and how it reports it. */
export interface TaskChange<T> {
  /** Changes task `id`; the API's 404 is reported as "no task N" by {@link eachTask}. */
  change(context: Context, id: number): Promise<T>;
  /** The line printed for one task. */
  describe(result: T): string;
  /** One element of the `--json` array. */
  toJson(result: T): unknown;
}

/**
 * The action of a command that takes task numbers (`done`, `undo`, `rm`, `restore`): applies the
 * change to each id in order. A missing task is reported on stderr and the others still change;
 * any other failure (network, session) stops at once. Prints one line per task, or with `--json`
 * one array, whatever the number of ids.
 * @throws {UsageError} before anything is sent, when an id is not a number.
 * @throws {CliError} at the end when some tasks were missing (exit 1).
 */
export function eachTask<T>(
  spec: TaskChange<T>,
): ReturnType<typeof commandAction<CommonOptionValues, [string[]]>> {
  return commandAction("login", async (context, _options: CommonOptionValues, rawIds: string[]) => {
    const ids = rawIds.map(parseTaskId);
    const results: T[] = [];
    const missing: number[] = [];
    for (const id of ids) {
      try {
        const result = await spec.change(context, id);
        results.push(result);
        if (!context.output.json) context.output.message(spec.describe(result));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        if (ids.length === 1) throw noTask(id);
        missing.push(id);
        context.output.warn(noTask(id).message);
      }
    }
    if (context.output.json) context.output.printJson(results.map((result) => spec.toJson(result)));
    if (missing.length) {
      throw new CliError(
        `${missing.length} of ${ids.length} tasks were not found (${missing.join(", ")}); the rest are as reported above.`,
      );
    }
  });
}

/**
 * `todo done` and `todo undo`: completes (or reopens) a task unless it already is, and says which;
 * `--json` gives the task as it now is. A recurring task stays pending when done, due on its next
 * date; `undo` right after puts its date back, so it is always sent for a recurring task.
 */
export function setCompleted(completed: boolean): TaskChange<Outcome> {
  return {
    change: (context, id) =>
      changeUnlessAlready(
        id,
        () => context.client.getTask(id),
        (task) => task.completed === completed && !(task.recurrence && !task.completed),
        (task) =>
          completed
            ? context.client.completeTask(id, { ifMatch: task.version })
            : context.client.reopenTask(id, { ifMatch: task.version }),
      ),
    describe: ({ task, changed }) => {
      if (!changed) return `Task ${task.id} was already ${completed ? "done" : "pending"}.`;
      if (task.recurrence && !task.completed)
        return completed
          ? `Completed ${taskLabel(task)}; it repeats ${printable(task.recurrenceText ?? "")}, next due ${task.dueDate}.`
          : `Reopened ${taskLabel(task)}; due ${task.dueDate} again.`;
      return `${completed ? "Completed" : "Reopened"} ${taskLabel(task)}.`;
    },
    toJson: (outcome) => outcome.task,
  };
}
