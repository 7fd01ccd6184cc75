import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo done <id...>`: marks tasks completed (already-completed ones stay as they are). */
export function registerDoneCommand(program: Command): void {
  withCommonOptions(
    program.command("done").description("mark tasks as done").argument("<id...>", "task numbers"),
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
        (id) => context.client.completeTask(id),
        (task) => `Completed ${taskLabel(task)}.`,
      ),
    );
  });
}
