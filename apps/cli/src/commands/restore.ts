import type { Command } from "commander";
import { taskLabel } from "../format.js";
import { eachTask, isNotFound } from "../tasks.js";

/**
 * `todo restore <id...>`: brings back tasks removed with `todo rm`. A task that was not removed is
 * left as it is, and said so.
 */
export function registerRestoreCommand(program: Command): void {
  program
    .command("restore")
    .description("bring back removed tasks (see them with `todo list --deleted`)")
    .argument("<id...>", "task numbers")
    .addHelpText("after", "\n--json prints an array of the tasks, as they now are.")
    .action(
      eachTask({
        async change(context, id) {
          // Only live tasks can be read by number: one that reads is not in the trash.
          try {
            return { task: await context.client.getTask(id), changed: false };
          } catch (error) {
            if (!isNotFound(error)) throw error;
          }
          return { task: await context.client.restoreTask(id), changed: true };
        },
        describe: ({ task, changed }) =>
          changed
            ? `Restored ${taskLabel(task)}.`
            : `Task ${task.id} was not removed; nothing to restore.`,
        toJson: (outcome) => outcome.task,
      }),
    );
}
