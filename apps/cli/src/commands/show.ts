import type { Command } from "commander";
import { commandAction } from "../action.js";
import { toIsoDate } from "../dates.js";
import { renderTask } from "../format.js";
import type { CommonOptionValues } from "../options.js";
import { onTask, parseTaskId } from "../tasks.js";

/** `todo show <id>`: one task in full. */
export function registerShowCommand(program: Command): void {
  program
    .command("show")
    .description("show one task in full")
    .argument("<id>", "task number")
    .addHelpText("after", "\n--json prints the task.")
    .action(
      commandAction("login", async (context, _options: CommonOptionValues, rawId: string) => {
        const id = parseTaskId(rawId);
        const task = await onTask(id, () => context.client.getTask(id));
        if (context.output.json) context.output.printJson(task);
        else context.output.message(renderTask(task, context.output, toIsoDate(new Date())));
      }),
    );
}
