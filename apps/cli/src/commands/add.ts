import { Option, type Command } from "commander";
import type { TaskCreate } from "@todo/contract";
import { commandAction } from "../action.js";
import { parseDueDate } from "../dates.js";
import { taskLabel } from "../format.js";
import { PRIORITY_CHOICES, collect, type CommonOptionValues } from "../options.js";
import { projectNamed } from "../projects.js";
import { createOnce } from "../retry.js";

interface AddOptions extends CommonOptionValues {
  description?: string;
  due?: string;
  priority?: (typeof PRIORITY_CHOICES)[number];
  tag?: string[];
  project?: string;
}

/** Attempts for one `add` when the network fails; each retry reuses the idempotency key. */
const NETWORK_ATTEMPTS = 3;

/**
 * `todo add <title...>`: creates a task. The request carries an `Idempotency-Key`, and a network
 * failure is retried with the same key, so a retry never makes a second task. The API checks the
 * input against the contract (its 422 becomes a usage error): loading zod here would cost every
 * `add` more than the check is worth.
 */
export function registerAddCommand(program: Command): void {
  program
    .command("add")
    .description("add a task; the title may be several words")
    .argument("<title...>", "the task's title")
    .option("-d, --description <text>", "a longer description")
    .option("--due <date>", "due date: YYYY-MM-DD, today, tomorrow, a weekday, +3d")
    .addOption(new Option("-p, --priority <priority>", "priority").choices(PRIORITY_CHOICES))
    .option("-t, --tag <tag>", "a tag (repeat for several)", collect)
    .option("-P, --project <name>", "put it in this project (by name, any case)")
    .addHelpText("after", "\n--json prints the created task.")
    .action(
      commandAction("login", async (context, options: AddOptions, words: string[]) => {
        const input: TaskCreate = {
          title: words.join(" "),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(options.due !== undefined ? { dueDate: parseDueDate(options.due) } : {}),
          ...(options.priority ? { priority: options.priority } : {}),
          ...(options.tag ? { tags: options.tag } : {}),
          ...(options.project !== undefined
            ? { projectId: (await projectNamed(context, options.project)).id }
            : {}),
        };
        const task = await createOnce(
          (idempotencyKey) => context.client.createTask(input, { idempotencyKey }),
          NETWORK_ATTEMPTS,
        );
        if (context.output.json) context.output.printJson(task);
        else
          context.output.message(
            `Added ${taskLabel(task)}${task.dueDate ? ` (due ${task.dueDate})` : ""}.`,
          );
      }),
    );
}
