import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo restore <id>`: brings back a task removed with `todo rm`. */
export function registerRestoreCommand(program: Command): void {
  withCommonOptions(
    program
      .command("restore")
      .description("bring back a removed task")
      .argument("<id>", "task number"),
  ).action(async (rawId: string, options: CommonOptionValues) => {
    const [{ withContext }, { changeTasks }, { taskLabel }] = await Promise.all([
      import("../context.js"),
      import("../tasks.js"),
      import("../format.js"),
    ]);
    await withContext(options, (context) =>
      changeTasks(
        context,
        [rawId],
        (id) => context.client.restoreTask(id),
        (task) => `Restored ${taskLabel(task)}.`,
      ),
    );
  });
}
