/**
 * The CLI's exit codes, the errors it raises for anything a user should read, and the one sentence
 * for invalid input. Free of imports: every command file loads it.
 */

/** Process exit codes, as gh uses them: scripts can branch on "log in again" without parsing text. */
export const ExitCode = {
  ok: 0,
  /** The API answered with an error, or could not be reached. */
  failure: 1,
  /** Bad arguments, options, ids or dates; nothing was sent. */
  usage: 2,
  /** Not logged in, or the session expired or was revoked. */
  authRequired: 4,
  /** The user pressed Ctrl-C at a prompt (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error meant for the user: `message` is one sentence saying what went wrong and what to do
 * next; `exitCode` is one of {@link ExitCode}.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A usage error (exit 2): bad arguments, options, ids or dates. Raised before anything is sent. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = "UsageError";
  }
}

/** Not logged in, or the session is no longer valid (exit 4). */
export class AuthRequiredError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.authRequired);
    this.name = "AuthRequiredError";
  }
}

/**
 * One invalid field: `path` dotted (`tags.2`) and `message` a predicate (`must not be blank`). The
 * API's problem `errors` have this shape, and {@link fieldProblems} gives it to zod issues.
 */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** Zod issues (from the contract's schemas) as {@link FieldProblem}s. */
export function fieldProblems(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldProblem[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/**
 * The usage error for invalid input, in one sentence: `The title must not be blank; nothing was
 * changed.`, naming the first problem and counting the others. `next` replaces "nothing was
 * changed" where a command has a better next step (`run \`todo signup\` again`).
 */
export function invalidInput(
  problems: readonly FieldProblem[],
  next = "nothing was changed",
): UsageError {
  const [first, ...others] = problems;
  const field = !first?.path || /^(body|query|path)$/.test(first.path) ? "input" : first.path;
  const more = others.length
    ? ` (and ${others.length} more problem${others.length === 1 ? "" : "s"})`
    : "";
  return new UsageError(
    `The ${field} ${(first?.message ?? "is invalid").replace(/\.$/, "")}${more}; ${next}.`,
  );
}
