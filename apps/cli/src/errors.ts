/**
 * The CLI's exit codes and the error it raises for anything a user should read. Kept free of heavy
 * imports: the entry point loads it on every run.
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
