import { Argument, type Command } from "commander";
import { commandAction } from "../action.js";
import { completionScript } from "../completion.js";
import type { CommonOptionValues } from "../options.js";

/** `todo completion bash|zsh|fish`: prints a shell completion script. */
export function registerCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script")
    .addArgument(new Argument("<shell>", "the shell").choices(["bash", "zsh", "fish"]))
    .addHelpText(
      "after",
      "\nExamples:\n  $ source <(todo completion bash)\n  $ todo completion fish > ~/.config/fish/completions/todo.fish\n\n--json prints {shell, script}.",
    )
    .action(
      commandAction(
        "nothing",
        (context, _options: CommonOptionValues, shell: "bash" | "zsh" | "fish") => {
          const script = completionScript(shell, program);
          if (context.output.json) context.output.printJson({ shell, script });
          else process.stdout.write(script);
        },
      ),
    );
}
