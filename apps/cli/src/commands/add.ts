import type { Command } from "commander";
import {
  PRIORITY_CHOICES,
  collect,
  withCommonOptions,
  type CommonOptionValues,
} from "../options.js";
import { Option } from "commander";

interface AddOptions extends CommonOptionValues {
  description?: string;
  due?: string;
  priority?: (typeof PRIORITY_CHOICES)[number];
  tag?: string[];
}

/** Attempts for one `add` when the network fails; each retry reuses the idempotency key. */
const ATTEMPTS = 3;

/**
 * `todo add <title...>`: creates a task. The request carries an `Idempotency-Key`, and a network
 * failure is retried with the same key, so a retry never makes a second task.
 */
export function registerAddCommand(program: Command): void {
  withCommonOptions(
    program
      .command("add")
      .description("add a task; the title may be several words")
      .argument("<title...>", "the task's title")
      .option("-d, --description <text>", "a longer description")
      .option("--due <date>", "due date: YYYY-MM-DD, today, tomorrow, a weekday, +3d")
      .addOption(new Option("-p, --priority <priority>", "priority").choices(PRIORITY_CHOICES))
      .option("-t, --tag <tag>", "a tag (repeat for several)", collect),
  ).action(async (words: string[], options: AddOptions) => {
    const [
      { withContext },
      { parseDueDate },
      { TaskCreate },
      { UsageError },
      client,
      { randomUUID },
      { setTimeout: sleep },
    ] = await Promise.all([
      import("../context.js"),
      import("../dates.js"),
      import("@todo/contract"),
      import("../errors.js"),
      import("@todo/client"),
      import("node:crypto"),
      import("node:timers/promises"),
    ]);
    const input = TaskCreate.safeParse({
      title: words.join(" "),
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.due !== undefined ? { dueDate: parseDueDate(options.due) } : {}),
      ...(options.priority ? { priority: options.priority } : {}),
      ...(options.tag ? { tags: options.tag } : {}),
    });
    if (!input.success) {
      const issue = input.error.issues[0];
      throw new UsageError(
        `The ${issue?.path.join(".") || "task"} ${issue?.message ?? "is invalid"}; nothing was added.`,
      );
    }
    await withContext(options, async (context) => {
      context.requireLogin();
      const idempotencyKey = randomUUID();
      for (let attempt = 1; ; attempt++) {
        try {
          const task = await context.client.createTask(input.data, { idempotencyKey });
          if (context.output.json) context.output.printJson(task);
          else
            context.output.message(
              `Added task ${task.id} "${task.title}"${task.dueDate ? ` (due ${task.dueDate})` : ""}.`,
            );
          return;
        } catch (error) {
          // A network failure may have happened after the API created the task; the same key makes
          // the retry replay that answer. A 409 means the first attempt is still running.
          const retryable =
            error instanceof client.NetworkError ||
            (error instanceof client.ApiError &&
              error.code === "idempotency_conflict" &&
              error.status === 409);
          if (!retryable || attempt >= ATTEMPTS) throw error;
          await sleep(250 * 2 ** (attempt - 1));
        }
      }
    });
  });
}
