/**
 * Where text goes. With `--json`, stdout carries exactly one JSON document and every human message
 * goes to stderr; otherwise messages go to stdout. Colour only when stdout is a terminal and
 * `NO_COLOR` is unset (no-color.org). Text that came from the API is made safe with
 * {@link printable} by whoever builds the line; JSON is printed as the API sent it.
 */
import { styleText } from "node:util";

/** A style name understood by `util.styleText`, such as `red`, `bold` or `dim`. */
export type Style = Parameters<typeof styleText>[0];

/** The output channel of one run. */
export interface Output {
  readonly json: boolean;
  readonly color: boolean;
  /**
   * The terminal's width in columns when stdout is a terminal, else `undefined`: output that goes
   * to a pipe or a file is never cut to fit (`COLUMNS` is not consulted).
   */
  readonly columns: number | undefined;
  /** Writes `value` as pretty JSON on stdout (only in `--json` mode is this called). */
  printJson(value: unknown): void;
  /** A line for people: stdout normally, stderr under `--json`. */
  message(line: string): void;
  /** A warning or per-item error: always stderr. */
  warn(line: string): void;
  /** `text` in `style` when colour is on, else unchanged. */
  paint(style: Style, text: string): string;
}

/** Creates the {@link Output} for one run. */
export function createOutput(options: { json: boolean; noColor: boolean }): Output {
  const terminal = Boolean(process.stdout.isTTY);
  const color = !options.json && !options.noColor && terminal;
  return {
    json: options.json,
    color,
    columns: terminal ? process.stdout.columns || undefined : undefined,
    printJson(value) {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    message(line) {
      (options.json ? process.stderr : process.stdout).write(`${line}\n`);
    },
    warn(line) {
      process.stderr.write(`${line}\n`);
    },
    paint(style, text) {
      return color ? styleText(style, text) : text;
    },
  };
}
