import type { Command } from "commander";
import { eachTask, setCompleted } from "../tasks.js";

/** `todo done <id...>`: marks tasks completed; one already done is left as it is, and said so. */
export function registerDoneCommand(program: Command): void {
  program
    .command("done")
    .description("mark tasks as done")
    .argument("<id...>", "task numbers")
    .addHelpText("after", "\n--json prints an array of the tasks, as they now are.")
    .action(eachTask(setCompleted(true)));
}
