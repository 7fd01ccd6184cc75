import type { Command } from "commander";
import { eachTask, setCompleted } from "../tasks.js";

/** `todo undo <id...>`: reopens completed tasks; one still pending is left as it is, and said so. */
export function registerUndoCommand(program: Command): void {
  program
    .command("undo")
    .description("mark done tasks as pending again")
    .argument("<id...>", "task numbers")
    .addHelpText("after", "\n--json prints an array of the tasks, as they now are.")
    .action(eachTask(setCompleted(false)));
}
