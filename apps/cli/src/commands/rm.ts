import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo rm <id...>`: removes tasks (a soft delete: `todo restore` brings one back). */
export function registerRmCommand(program: Command): void {
  withCommonOptions(
    program
      .command("rm")
      .alias("remove")
      .description("remove tasks (undo with `todo restore`)")
      .argument("<id...>", "task numbers"),
  ).action(async (ids: string[], options: CommonOptionValues) => {
    const [{ withContext }, { changeTasks }] = await Promise.all([
      import("../context.js"),
      import("../tasks.js"),
    ]);
    await withContext(options, (context) =>
      changeTasks(
        context,
        ids,
        async (id) => {
          await context.client.deleteTask(id);
          return id;
        },
        (id) => `Removed task ${id}; undo with \`todo restore ${id}\`.`,
        (deleted) => ({ deleted }),
      ),
    );
  });
}
