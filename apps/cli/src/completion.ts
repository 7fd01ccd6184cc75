/**
 * Shell completion scripts for bash, zsh and fish, generated from the commander tree so they never
 * drift from the real commands and options. Option values come from `.choices()`; `--due` offers
 * the date words {@link parseDueDate} understands, `--sort` the plain sort words.
 */
import type { Command, Option } from "commander";
import { DATE_WORDS } from "./dates.js";
import { SORT_WORDS, collect } from "./options.js";

/** Values offered for options that take free text but have well-known words. */
const OPTION_WORDS: Record<string, readonly string[]> = {
  "--due": DATE_WORDS,
  "--sort": SORT_WORDS,
};

/** The shells `todo completion` supports. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

interface OptionSpec {
  short: string | undefined;
  long: string;
  description: string;
  takesValue: boolean;
  repeatable: boolean;
  values: readonly string[] | undefined;
}

interface CommandSpec {
  names: string[];
  description: string;
  options: OptionSpec[];
  argumentValues: readonly string[] | undefined;
}

function describeOption(option: Option): OptionSpec {
  return {
    short: option.short,
    long: option.long ?? option.flags,
    description: option.description,
    takesValue: option.required || option.optional,
    repeatable: option.parseArg === collect,
    values: option.argChoices ?? (option.long ? OPTION_WORDS[option.long] : undefined),
  };
}

function describeCommands(program: Command): CommandSpec[] {
  return program.commands.map((command) => ({
    names: [command.name(), ...command.aliases()],
    description: command.description(),
    options: [
      ...command.options.map(describeOption),
      {
        short: "-h",
        long: "--help",
        description: "show help",
        takesValue: false,
        repeatable: false,
        values: undefined,
      },
    ],
    argumentValues: command.registeredArguments[0]?.argChoices,
  }));
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, program: Command): string {
  const commands = describeCommands(program);
  if (shell === "bash") return bashScript(commands);
  if (shell === "zsh") return zshScript(commands);
  return fishScript(commands);
}

function bashScript(commands: CommandSpec[]): string {
  const names = commands.flatMap((command) => command.names);
  const valueCases = new Map<string, string>();
  for (const option of commands.flatMap((command) => command.options)) {
    if (!option.takesValue) continue;
    const flags = [option.short, option.long].filter(Boolean).join("|");
    valueCases.set(
      flags,
      option.values
        ? `COMPREPLY=( $(compgen -W "${option.values.join(" ")}" -- "$cur") )`
        : "COMPREPLY=()",
    );
  }
  return `# bash completion for todo. Load it now with:  source <(todo completion bash)
# or for good:  todo completion bash > ~/.local/share/bash-completion/completions/todo
_todo() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" words=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${names.join(" ")} --help --version" -- "$cur") )
    return
  fi
  case "$prev" in
${[...valueCases].map(([flags, action]) => `    ${flags}) ${action}; return ;;`).join("\n")}
  esac
  case "\${COMP_WORDS[1]}" in
${commands
  .map(
    (command) =>
      `    ${command.names.join("|")}) words="${[...(command.argumentValues ?? []), ...command.options.flatMap((option) => [option.long, option.short].filter(Boolean))].join(" ")}" ;;`,
  )
  .join("\n")}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _todo todo
`;
}

const zshQuote = (text: string) => text.replace(/'/g, `'\\''`).replace(/([[\]])/g, "\\$1");

function zshScript(commands: CommandSpec[]): string {
  const describe = commands.flatMap((command) =>
    command.names.map((name) => `    '${name}:${zshQuote(command.description)}'`),
  );
  const cases = commands.map((command) => {
    const specs = command.options.map((option) => {
      const flags = option.short ? `{${option.short},${option.long}}` : option.long;
      const exclusive =
        option.short && !option.repeatable ? `'(${option.short} ${option.long})'` : "";
      const value = option.takesValue
        ? `:${option.long.replace(/^--/, "")}:${option.values ? `(${option.values.join(" ")})` : " "}`
        : "";
      return `        ${exclusive}${option.repeatable ? "'*'" : ""}${flags}'[${zshQuote(option.description)}]${value}'`;
    });
    if (command.argumentValues)
      specs.push(`        ':shell:(${command.argumentValues.join(" ")})'`);
    return `    ${command.names.join("|")})\n      _arguments -s \\\n${specs.join(" \\\n")}\n      ;;`;
  });
  return `#compdef todo
# zsh completion for todo. Load it now with:  source <(todo completion zsh)
# or for good: save it as _todo in a folder on $fpath.
_todo() {
  local -a commands
  commands=(
${describe.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'todo command' commands
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  case $command in
${cases.join("\n")}
  esac
}
if [ "$funcstack[1]" = "_todo" ]; then _todo "$@"; else compdef _todo todo; fi
`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function fishScript(commands: CommandSpec[]): string {
  const lines = [
    "# fish completion for todo. Load it now with:  todo completion fish | source",
    "# or for good:  todo completion fish > ~/.config/fish/completions/todo.fish",
    "complete -c todo -f",
  ];
  for (const command of commands) {
    for (const name of command.names) {
      lines.push(
        `complete -c todo -n __fish_use_subcommand -a ${name} -d ${fishQuote(command.description)}`,
      );
    }
    const condition = `'__fish_seen_subcommand_from ${command.names.join(" ")}'`;
    if (command.argumentValues)
      lines.push(
        `complete -c todo -n ${condition} -a ${fishQuote(command.argumentValues.join(" "))}`,
      );
    for (const option of command.options) {
      const flags = [
        option.short ? `-s ${option.short.slice(1)}` : "",
        `-l ${option.long.slice(2)}`,
      ]
        .filter(Boolean)
        .join(" ");
      const value = option.takesValue
        ? option.values
          ? ` -x -a ${fishQuote(option.values.join(" "))}`
          : " -x"
        : "";
      lines.push(
        `complete -c todo -n ${condition} ${flags}${value} -d ${fishQuote(option.description)}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
