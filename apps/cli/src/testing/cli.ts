// Test helpers: run the BUILT `todo` binary as a user would, against a live test API, each user
// with a private config folder. Not part of the build (see tsconfig.build.json).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the built entry point (`pnpm build` / turbo's `test` task builds it first). */
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
if (!existsSync(BIN))
  throw new Error(`${BIN} is missing: build the CLI first (pnpm --filter @todo/cli build).`);

/** What one run of `todo` did. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `todo args…` with exactly `env` (nothing inherited, so the developer's own TODO_TOKEN or
 * config never leaks in) and `input` piped to stdin (stdin is a pipe, never a TTY).
 */
export function runTodo(
  args: readonly string[],
  env: Record<string, string>,
  input = "",
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * A user of the CLI: private config and cache folders, the environment pointing at the API, and
 * `todo()`.
 */
export interface CliUser {
  readonly email: string;
  readonly password: string;
  readonly configDir: string;
  readonly env: Record<string, string>;
  /** Runs `todo` as this user. `extraEnv` is added to (and may override) {@link env}. */
  todo(
    args: readonly string[],
    options?: { input?: string; env?: Record<string, string> },
  ): Promise<RunResult>;
  /** Removes the config and cache folders. */
  cleanup(): Promise<void>;
}

let counter = 0;

/** Fresh config and cache folders and a unique email; `signup: true` also signs up through the CLI. */
export async function createCliUser(
  apiUrl: string,
  options: { signup?: boolean } = {},
): Promise<CliUser> {
  const configDir = join(await mkdtemp(join(tmpdir(), "todo-cli-")), "config");
  const email = `user${++counter}-${process.pid}-${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  // A fixed zone: signup sends the machine's, which would otherwise be the host's.
  const env = {
    TODO_CONFIG_DIR: configDir,
    TODO_CACHE_DIR: join(configDir, "..", "cache"),
    TODO_API_URL: apiUrl,
    TZ: "UTC",
    // Completion's wait for the API, beyond what a loaded machine can take (a test sets its own).
    TODO_COMPLETION_WAIT_MS: "600000",
  };
  const user: CliUser = {
    email,
    password,
    configDir,
    env,
    todo: (args, run = {}) => runTodo(args, { ...env, ...run.env }, run.input),
    cleanup: () => rm(join(configDir, ".."), { recursive: true, force: true }),
  };
  if (options.signup) {
    const result = await user.todo(["signup", "--email", email], { input: `${password}\n` });
    if (result.code !== 0) throw new Error(`signup failed: ${result.stderr}`);
  }
  return user;
}

/** A local port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
