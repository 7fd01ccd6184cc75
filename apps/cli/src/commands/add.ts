import { Option, type Command } from "commander";
import type { QuickAddParse, Task, TaskCreate } from "@todo/contract";
import { commandAction } from "../action.js";
import { DATE_EXAMPLES, readDueDate } from "../dates.js";
import { taskLabel } from "../format.js";
import { PRIORITY_CHOICES, collect, type CommonOptionValues } from "../options.js";
import { readRecurrence } from "../recurrence.js";
import { projectNamed, unknownProjectOr } from "../projects.js";
import { createOnce } from "../retry.js";
import { printable } from "../text.js";

interface AddOptions extends CommonOptionValues {
  description?: string;
  due?: string;
  priority?: (typeof PRIORITY_CHOICES)[number];
  tag?: string[];
  literal?: boolean;
  every?: string;
  recurrence?: string;
  project?: string;
}

/** Attempts for one `add` when the network fails; each retry reuses the idempotency key. */
const NETWORK_ATTEMPTS = 3;

/** What `add` says it understood: `(due 2027-01-01, every month on the 1st, +bills, #home)`. */
function understood(task: Task, parsed?: Pick<QuickAddParse, "project">): string {
  const parts = [
    task.dueDate && `due ${task.dueDate}`,
    task.recurrenceText && printable(task.recurrenceText),
    parsed?.project && `+${printable(parsed.project)}`,
    ...task.tags.map((tag) => `#${printable(tag)}`),
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/**
 * `todo add <words...>`: creates a task from words, read by the API's quick add (`Pay rent every
 * month on the 1st +bills #home !high`), or with `--literal` taken as the title as typed. Options
 * win over the words. The request carries an `Idempotency-Key`, and a network failure is
 * retried with the same key, so a retry never makes a second task. The API checks the input
 * against the contract (its 422 becomes a usage error), but a `+name` that is none of the
 * caller's projects is reported as `-P` reports an unknown name (exit 1).
 */
export function registerAddCommand(program: Command): void {
  program
    .command("add")
    .description("add a task; the title may be several words")
    .argument(
      "<title...>",
      'the task in words: a title, and a date, a recurrence ("every monday"), #tags, +project, !low|!medium|!high; "quoted text" stays as typed',
    )
    .option("--literal", "take the words as the title exactly as typed, reading nothing in them")
    .option("-d, --description <text>", "a longer description")
    .option("--due <date>", `due date: ${DATE_EXAMPLES}`)
    .addOption(new Option("-p, --priority <priority>", "priority").choices(PRIORITY_CHOICES))
    .option("-t, --tag <tag>", "a tag (repeat for several)", collect)
    .option("-P, --project <name>", "put it in this project (by name, any case)")
    .option("--every <phrase>", "repeat: day, weekday, monday, 2 weeks, month on the 15th, year…")
    .option("--recurrence <rule>", "repeat by an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO")
    .addHelpText(
      "after",
      `
Examples:
  $ todo add Pay rent every month on the 1st #home !high
  $ todo add Call mom next friday
  $ todo add --literal Read 1984 tomorrow

--json prints the created task.`,
    )
    .action(
      commandAction("login", async (context, options: AddOptions, words: string[]) => {
        const text = words.join(" ");
        const recurrence = await readRecurrence(options);
        const fields: Omit<TaskCreate, "title"> = {
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(options.due !== undefined ? { dueDate: await readDueDate(options.due) } : {}),
          ...(options.priority ? { priority: options.priority } : {}),
          ...(options.tag ? { tags: options.tag } : {}),
          ...(recurrence !== undefined ? { recurrence } : {}),
          ...(options.project !== undefined
            ? { projectId: (await projectNamed(context, options.project)).id }
            : {}),
        };
        const { task, parsed } = options.literal
          ? {
              task: await createOnce(
                (idempotencyKey) =>
                  context.client.createTask({ title: text, ...fields }, { idempotencyKey }),
                NETWORK_ATTEMPTS,
              ),
              parsed: undefined,
            }
          : await createOnce(
              (idempotencyKey) =>
                context.client.quickAddTask({ text, ...fields }, { idempotencyKey }),
              NETWORK_ATTEMPTS,
            ).catch(async (error: unknown) => {
              throw await unknownProjectOr(context, text, error);
            });
        if (context.output.json) context.output.printJson(task);
        else context.output.message(`Added ${taskLabel(task)}${understood(task, parsed)}.`);
      }),
    );
}
