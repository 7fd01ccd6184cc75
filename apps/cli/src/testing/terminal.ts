// Drives the built `todo` inside a real pseudo-terminal (a detached tmux session), so tests can
// type at a prompt and read the screen as a user sees it.
import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { BIN } from "./cli.js";

const run = promisify(execFile);
const TMUX = "/usr/bin/tmux";
let sessions = 0;

/** What the shell prints on the screen once `todo` has exited. */
const EXITED = /\[exit (\d+)\]/;

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A `todo` run in a terminal of 100×30 cells. */
export interface Terminal {
  /** Types `text` literally (no key names), then Enter when `enter` is set. */
  type(text: string, options?: { enter?: boolean }): Promise<void>;
  /** The visible screen; with `escapes`, colours and attributes as ANSI escape sequences. */
  screen(options?: { escapes?: boolean }): Promise<string>;
  /**
   * Waits until the screen matches `pattern` and returns the screen. There is no deadline (a busy
   * machine can reach any): it fails at once when `todo` has exited without showing `pattern`,
   * and a `todo` that hangs is caught by the test runner's own limit.
   */
  waitFor(pattern: RegExp): Promise<string>;
  /** Waits for `todo` to exit and returns its exit code. */
  exitCode(): Promise<number>;
  close(): Promise<void>;
}

/** Starts `todo args…` with exactly `env` (plus TERM) in a fresh, private tmux server. */
export async function openTerminal(
  args: readonly string[],
  env: Record<string, string>,
): Promise<Terminal> {
  const socket = `todo-cli-test-${process.pid}-${++sessions}`;
  const tmux = (...tmuxArgs: string[]) =>
    run(TMUX, ["-L", socket, "-f", "/dev/null", ...tmuxArgs], { env: { PATH: "/usr/bin:/bin" } });
  const assignments = Object.entries({ TERM: "xterm-256color", ...env }).map(
    ([key, value]) => `${key}=${quote(value)}`,
  );
  const command = `env -i ${assignments.join(" ")} ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(" ")}; echo "[exit $?]"; sleep 600`;
  await tmux("new-session", "-d", "-s", "todo", "-x", "100", "-y", "30", command);

  const screen = async (options: { escapes?: boolean } = {}) =>
    (await tmux("capture-pane", "-p", ...(options.escapes ? ["-e"] : []), "-t", "todo")).stdout;
  const waitFor = async (pattern: RegExp) => {
    for (;;) {
      const text = await screen();
      if (pattern.test(text)) return text;
      if (EXITED.test(text))
        throw new Error(`todo exited without showing ${pattern}; the screen:\n${text}`);
      await sleep(50);
    }
  };
  return {
    async type(text, options = {}) {
      await tmux("send-keys", "-t", "todo", "-l", text);
      if (options.enter) await tmux("send-keys", "-t", "todo", "Enter");
    },
    screen,
    waitFor,
    async exitCode() {
      const text = await waitFor(EXITED);
      return Number(EXITED.exec(text)![1]);
    },
    async close() {
      await tmux("kill-server").catch(() => undefined);
    },
  };
}
