import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo undo <id...>`: reopens completed tasks. */
export function registerUndoCommand(program: Command): void {
  withCommonOptions(
    program
      .command("undo")
      .description("mark done tasks as pending again")
      .argument("<id...>", "task numbers"),
  ).action(async (ids: string[], options: CommonOptionValues) => {
    const [{ withContext }, { changeTasks }, { taskLabel }] = await Promise.all([
      import("../context.js"),
      import("../tasks.js"),
      import("../format.js"),
    ]);
    await withContext(options, (context) =>
      changeTasks(
        context,
        ids,
        (id) => context.client.reopenTask(id),
        (task) => `Reopened ${taskLabel(task)}.`,
      ),
    );
  });
}
