import { homedir } from "node:os";
import { join } from "node:path";

/** What the `todo` CLI reads from its environment (DESIGN §4). */
export interface CliEnvironment {
  /** Folder holding `credentials.json`: `$TODO_CONFIG_DIR`, else `$XDG_CONFIG_HOME/todo`, else `~/.config/todo`. */
  readonly configDir: string;
  /**
   * Folder for data the CLI can fetch again (the project names shell completion offers):
   * `$TODO_CACHE_DIR`, else `$XDG_CACHE_HOME/todo`, else `~/.cache/todo` (XDG Base Directory).
   */
  readonly cacheDir: string;
  /** `TODO_API_URL`: overrides the stored API URL. */
  readonly apiUrl: string | undefined;
  /** `TODO_TOKEN`: an access token that overrides the stored login. */
  readonly token: string | undefined;
  /** True when `NO_COLOR` is set to anything non-empty (no-color.org). */
  readonly noColor: boolean;
  /**
   * `TODO_COMPLETION_WAIT_MS`: how long shell completion waits for the API before it offers
   * nothing, in milliseconds (a positive integer; default {@link COMPLETION_WAIT_MS}), so a hung
   * API never hangs the shell's Tab.
   */
  readonly completionWaitMs: number;
}

/** Default of {@link CliEnvironment.completionWaitMs}: 3 s. */
export const COMPLETION_WAIT_MS = 3_000;

/** Reads the CLI's environment. Never throws; empty values count as unset. */
export function loadCliEnvironment(
  env: Record<string, string | undefined> = process.env,
): CliEnvironment {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const home = () => value("HOME") ?? homedir();
  const configDir =
    value("TODO_CONFIG_DIR") ?? join(value("XDG_CONFIG_HOME") ?? join(home(), ".config"), "todo");
  const cacheDir =
    value("TODO_CACHE_DIR") ?? join(value("XDG_CACHE_HOME") ?? join(home(), ".cache"), "todo");
  return Object.freeze({
    configDir,
    cacheDir,
    apiUrl: value("TODO_API_URL"),
    token: value("TODO_TOKEN"),
    noColor: value("NO_COLOR") !== undefined,
    completionWaitMs: positiveInteger(value("TODO_COMPLETION_WAIT_MS")) ?? COMPLETION_WAIT_MS,
  });
}

/** `raw` as a positive safe integer, or undefined when it is absent or anything else. */
function positiveInteger(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  const number = Number(raw);
  return number > 0 ? number : undefined;
}
