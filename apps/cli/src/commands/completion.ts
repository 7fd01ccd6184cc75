import { Argument, type Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo completion bash|zsh|fish`: prints a shell completion script. */
export function registerCompletionCommand(program: Command): void {
  withCommonOptions(
    program
      .command("completion")
      .description("print a shell completion script")
      .addArgument(new Argument("<shell>", "the shell").choices(["bash", "zsh", "fish"]))
      .addHelpText(
        "after",
        "\nExamples:\n  $ source <(todo completion bash)\n  $ todo completion fish > ~/.config/fish/completions/todo.fish",
      ),
  ).action(async (shell: "bash" | "zsh" | "fish", options: CommonOptionValues) => {
    const { completionScript } = await import("../completion.js");
    const script = completionScript(shell, program);
    if (options.json) process.stdout.write(`${JSON.stringify({ shell, script }, null, 2)}\n`);
    else process.stdout.write(script);
  });
}
