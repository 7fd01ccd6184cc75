import type { Command } from "commander";
import { eachTask } from "../tasks.js";

/** `todo rm <id...>`: removes tasks (a soft delete: `todo restore` brings one back). */
export function registerRmCommand(program: Command): void {
  program
    .command("rm")
    .alias("remove")
    .description("remove tasks (undo with `todo restore`)")
    .argument("<id...>", "task numbers")
    .addHelpText("after", "\n--json prints an array of the removed task numbers, such as [1, 3].")
    .action(
      eachTask({
        async change(context, id) {
          await context.client.deleteTask(id);
          return id;
        },
        describe: (id) => `Removed task ${id}; undo with \`todo restore ${id}\`.`,
        toJson: (id) => id,
      }),
    );
}
