/**
 * Shell completion scripts for bash, zsh and fish, generated from the commander tree so they never
 * drift from the real commands and options. Option values come from `.choices()`; `--due` offers
 * the date words {@link parseDueDate} understands, `--sort` the plain sort words. Project names
 * (after `-P`/`--project`, and for `todo project rename|archive|unarchive|rm`) come from the API
 * through the hidden `todo __complete projects` (see complete.ts), cached briefly.
 */
import type { Command, Option } from "commander";
import type { ProjectSet } from "./complete.js";
import { DATE_WORDS } from "./dates.js";
import { SORT_WORDS, collect } from "./options.js";

/** Values offered for options that take free text but have well-known words. */
const OPTION_WORDS: Record<string, readonly string[]> = {
  "--due": DATE_WORDS,
  "--sort": SORT_WORDS,
};

/** Options whose value is a project name, and which projects to offer. */
const PROJECT_OPTIONS: Record<string, ProjectSet> = { "--project": "active" };

/** Commands (by path) whose first argument is a project name, and which projects to offer. */
const PROJECT_ARGUMENTS: Record<string, ProjectSet> = {
  "project rename": "all",
  "project archive": "active",
  "project unarchive": "archived",
  "project rm": "all",
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
  /** The value is a project name: offer these projects' names. */
  projects: ProjectSet | undefined;
}

interface CommandSpec {
  names: string[];
  description: string;
  options: OptionSpec[];
  /** The first argument's name, fixed values, or projects (from their names). */
  argumentName: string | undefined;
  argumentValues: readonly string[] | undefined;
  argumentProjects: ProjectSet | undefined;
  /** `todo project add|rename|…`: completed after the command's name. */
  subcommands: CommandSpec[];
}

function describeOption(option: Option): OptionSpec {
  return {
    short: option.short,
    long: option.long ?? option.flags,
    description: option.description,
    takesValue: option.required || option.optional,
    repeatable: option.parseArg === collect,
    values: option.argChoices ?? (option.long ? OPTION_WORDS[option.long] : undefined),
    projects: option.long ? PROJECT_OPTIONS[option.long] : undefined,
  };
}

const HELP_OPTION: OptionSpec = {
  short: "-h",
  long: "--help",
  description: "show help",
  takesValue: false,
  repeatable: false,
  values: undefined,
  projects: undefined,
};

function describeCommands(parent: Command, path: readonly string[] = []): CommandSpec[] {
  return parent.commands.map((command) => {
    const argument = command.registeredArguments[0];
    const names = [command.name(), ...command.aliases()];
    return {
      names,
      description: command.description(),
      options: [...command.options.map(describeOption), HELP_OPTION],
      argumentName: argument?.name(),
      argumentValues: argument?.argChoices,
      argumentProjects: PROJECT_ARGUMENTS[[...path, command.name()].join(" ")],
      subcommands: describeCommands(command, [...path, command.name()]),
    };
  });
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, program: Command): string {
  const commands = describeCommands(program);
  if (shell === "bash") return bashScript(commands);
  if (shell === "zsh") return zshScript(commands);
  return fishScript(commands);
}

/** Every command and subcommand, depth first. */
const everyCommand = (commands: CommandSpec[]): CommandSpec[] =>
  commands.flatMap((command) => [command, ...everyCommand(command.subcommands)]);

const optionWords = (command: CommandSpec) =>
  command.options.flatMap((option) => [option.long, option.short].filter(Boolean));

function bashScript(commands: CommandSpec[]): string {
  const names = commands.flatMap((command) => command.names);
  const valueCases = new Map<string, string>();
  for (const option of everyCommand(commands).flatMap((command) => command.options)) {
    if (!option.takesValue) continue;
    const flags = [option.short, option.long].filter(Boolean).join("|");
    valueCases.set(
      flags,
      option.projects
        ? `_todo_projects ${option.projects}`
        : option.values
          ? `COMPREPLY=( $(compgen -W "${option.values.join(" ")}" -- "$cur") )`
          : "COMPREPLY=()",
    );
  }
  const leafCase = (command: CommandSpec, position: number, indent: string) => {
    const words = `words="${[...(command.argumentValues ?? []), ...optionWords(command)].join(" ")}"`;
    const projects = command.argumentProjects
      ? `if [[ $COMP_CWORD -eq ${position} && $cur != -* ]]; then _todo_projects ${command.argumentProjects}; return; fi; `
      : "";
    return `${indent}${command.names.join("|")}) ${projects}${words} ;;`;
  };
  const cases = commands.map((command) => {
    if (!command.subcommands.length) return leafCase(command, 2, "    ");
    return [
      `    ${command.names.join("|")})`,
      `      if [[ $COMP_CWORD -eq 2 ]]; then`,
      `        words="${command.subcommands.flatMap((sub) => sub.names).join(" ")}"`,
      `      else`,
      `        case "\${COMP_WORDS[2]}" in`,
      ...command.subcommands.map((sub) => leafCase(sub, 3, "          ")),
      `        esac`,
      `      fi ;;`,
    ].join("\n");
  });
  return `# bash completion for todo. Load it now with:  source <(todo completion bash)
# or for good:  todo completion bash > ~/.local/share/bash-completion/completions/todo
_todo_projects() {
  # Your project names (from the API, cached briefly) that start with what is typed, in any case.
  local IFS=$'\\n' name typed="\${cur//\\\\/}" nocase
  nocase=$(shopt -p nocasematch)
  shopt -s nocasematch
  for name in $(todo __complete projects "$1" 2>/dev/null); do
    [[ $name == "$typed"* ]] && COMPREPLY+=( "$(printf '%q' "$name")" )
  done
  eval "$nocase"
}
_todo() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" words=""
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${names.join(" ")} --help --version" -- "$cur") )
    return
  fi
  case "$prev" in
${[...valueCases].map(([flags, action]) => `    ${flags}) ${action}; return ;;`).join("\n")}
  esac
  case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _todo todo
`;
}

const zshQuote = (text: string) => text.replace(/'/g, `'\\''`).replace(/([[\]])/g, "\\$1");

function zshArguments(command: CommandSpec, indent: string): string {
  const specs = command.options.map((option) => {
    const flags = option.short ? `{${option.short},${option.long}}` : option.long;
    const exclusive =
      option.short && !option.repeatable ? `'(${option.short} ${option.long})'` : "";
    const action = option.projects
      ? `_todo_projects ${option.projects}`
      : option.values
        ? `(${option.values.join(" ")})`
        : " ";
    const value = option.takesValue ? `:${option.long.replace(/^--/, "")}:${action}` : "";
    return `${indent}  ${exclusive}${option.repeatable ? "'*'" : ""}${flags}'[${zshQuote(option.description)}]${value}'`;
  });
  if (command.argumentProjects)
    specs.push(`${indent}  ':${command.argumentName}:_todo_projects ${command.argumentProjects}'`);
  else if (command.argumentValues)
    specs.push(`${indent}  ':${command.argumentName}:(${command.argumentValues.join(" ")})'`);
  return `${indent}_arguments -s \\\n${specs.join(" \\\n")}`;
}

/** The `_describe` list of `commands`: `'name:description'` lines. */
const zshDescribe = (commands: CommandSpec[], indent: string) =>
  commands
    .flatMap((command) =>
      command.names.map((name) => `${indent}'${name}:${zshQuote(command.description)}'`),
    )
    .join("\n");

function zshCase(command: CommandSpec): string {
  const body = command.subcommands.length
    ? [
        `      if (( CURRENT == 2 )); then`,
        `        local -a subcommands`,
        `        subcommands=(`,
        zshDescribe(command.subcommands, "          "),
        `        )`,
        `        _describe -t commands 'todo ${command.names[0]} command' subcommands`,
        `        return`,
        `      fi`,
        `      local subcommand=$words[2]`,
        `      shift words`,
        `      (( CURRENT-- ))`,
        `      case $subcommand in`,
        ...command.subcommands.map(
          (sub) =>
            `        ${sub.names.join("|")})\n${zshArguments(sub, "          ")}\n          ;;`,
        ),
        `      esac`,
      ].join("\n")
    : zshArguments(command, "      ");
  return `    ${command.names.join("|")})\n${body}\n      ;;`;
}

function zshScript(commands: CommandSpec[]): string {
  return `#compdef todo
# zsh completion for todo. Load it now with:  source <(todo completion zsh)
# or for good: save it as _todo in a folder on $fpath.
_todo_projects() {
  # Your project names (from the API, cached briefly), matched in any case.
  local -a names
  names=(\${(f)"$(todo __complete projects $1 2>/dev/null)"})
  compadd -M 'm:{a-zA-Z}={A-Za-z}' -a names
}
_todo() {
  local -a commands
  commands=(
${zshDescribe(commands, "    ")}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'todo command' commands
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  case $command in
${commands.map(zshCase).join("\n")}
  esac
}
if [ "$funcstack[1]" = "_todo" ]; then _todo "$@"; else compdef _todo todo; fi
`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** fish `complete` lines for `command`'s options and first argument, offered when `condition` holds. */
function fishCommandLines(command: CommandSpec, condition: string): string[] {
  const lines: string[] = [];
  const when = fishQuote(condition);
  if (command.argumentProjects)
    lines.push(
      `complete -c todo -n ${when} -x -a ${fishQuote(`(todo __complete projects ${command.argumentProjects})`)}`,
    );
  else if (command.argumentValues)
    lines.push(`complete -c todo -n ${when} -a ${fishQuote(command.argumentValues.join(" "))}`);
  for (const option of command.options) {
    const flags = [option.short ? `-s ${option.short.slice(1)}` : "", `-l ${option.long.slice(2)}`]
      .filter(Boolean)
      .join(" ");
    const words = option.projects
      ? `(todo __complete projects ${option.projects})`
      : option.values?.join(" ");
    const value = option.takesValue ? (words ? ` -x -a ${fishQuote(words)}` : " -x") : "";
    lines.push(`complete -c todo -n ${when} ${flags}${value} -d ${fishQuote(option.description)}`);
  }
  return lines;
}

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
    const seen = `__fish_seen_subcommand_from ${command.names.join(" ")}`;
    if (!command.subcommands.length) {
      lines.push(...fishCommandLines(command, seen));
      continue;
    }
    const subNames = command.subcommands.flatMap((sub) => sub.names).join(" ");
    for (const sub of command.subcommands) {
      for (const name of sub.names) {
        lines.push(
          `complete -c todo -n ${fishQuote(`${seen}; and not __fish_seen_subcommand_from ${subNames}`)} -a ${name} -d ${fishQuote(sub.description)}`,
        );
      }
      lines.push(
        ...fishCommandLines(sub, `${seen}; and __fish_seen_subcommand_from ${sub.names.join(" ")}`),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
