import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo show <id>`: one task in full. */
export function registerShowCommand(program: Command): void {
  withCommonOptions(
    program.command("show").description("show one task in full").argument("<id>", "task number"),
  ).action(async (rawId: string, options: CommonOptionValues) => {
    const [{ withContext }, { parseTaskId, onTask }, { renderTask }, { toIsoDate }] =
      await Promise.all([
        import("../context.js"),
        import("../tasks.js"),
        import("../format.js"),
        import("../dates.js"),
      ]);
    const id = parseTaskId(rawId);
    await withContext(options, async (context) => {
      context.requireLogin();
      const task = await onTask(id, () => context.client.getTask(id));
      if (context.output.json) context.output.printJson(task);
      else context.output.message(renderTask(task, context.output, toIsoDate(new Date())));
    });
  });
}
