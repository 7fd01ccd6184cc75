/**
 * What every command needs, built once per run by {@link commandAction}: the environment, the API
 * URL, the stored session, a client that refreshes and saves an expired access token silently, the
 * output channel, and the translation of any error into one sentence and an exit code. Loaded
 * lazily, so `todo --help` and `todo --version` never pay for the client or the credentials.
 */
import { loadCliEnvironment, type CliEnvironment } from "@todo/config/cli";
import { ApiError, NetworkError, createClient, type TodoClient } from "@todo/client";
import { nodeTransport } from "@todo/client/node";
import type { AuthSession } from "@todo/contract";
import { CredentialsStore, type StoredSession } from "./credentials.js";
import { AuthRequiredError, CliError, ExitCode, UsageError, invalidInput } from "./errors.js";
import type { CommonOptionValues } from "./options.js";
import { createOutput, type Output } from "./output.js";
import { printable } from "./text.js";

/** The API used when nothing else names one. */
export const DEFAULT_API_URL = "http://127.0.0.1:3000";

/**
 * What a command needs before its body runs: `login`, a stored session or `TODO_TOKEN` (reading
 * {@link Context.client} without one raises {@link AuthRequiredError}, after the body has checked
 * its arguments); `api`, the API without a login (signup, login, logout); `nothing`, no API and no
 * credentials (completion).
 */
export type Needs = "login" | "api" | "nothing";

/** The per-run context handed to a command's body. */
export interface Context {
  readonly env: CliEnvironment;
  /** The API's origin, normalized (no trailing slash). */
  readonly apiUrl: string;
  readonly store: CredentialsStore;
  /** Where the access token came from: `TODO_TOKEN`, the credentials file, or nowhere. */
  readonly tokenSource: "env" | "file" | undefined;
  /** The stored session for {@link apiUrl}, if any. */
  readonly stored: StoredSession | undefined;
  /**
   * The API client, with the run's session.
   * @throws {AuthRequiredError} on first use, for a command that needs a login, when there is none.
   */
  readonly client: TodoClient;
  /** A client for {@link apiUrl} with another access token (`login --with-token` checks one). */
  clientFor(accessToken: string): TodoClient;
  readonly output: Output;
}

/**
 * Builds the context of one run; `version` (the CLI's) goes into the `User-Agent`.
 * @throws {UsageError} for an `--api-url`/`TODO_API_URL` that is not an http(s) URL.
 * @throws {AuthRequiredError} when the credentials file is unreadable or damaged.
 */
export function createContext(options: CommonOptionValues, needs: Needs, version: string): Context {
  const env = loadCliEnvironment();
  const output = createOutput({ json: Boolean(options.json), noColor: env.noColor });
  const store = new CredentialsStore(env.configDir);
  const file = needs === "nothing" ? undefined : store.read();
  const apiUrl = normalizeApiUrl(
    options.apiUrl ?? env.apiUrl ?? file?.defaultApiUrl ?? DEFAULT_API_URL,
  );
  const stored = file?.sessions[apiUrl];
  const tokenSource = env.token ? "env" : stored ? "file" : undefined;
  const transport = nodeTransport();
  const userAgent = `todo-cli/${version}`;
  let client: TodoClient | undefined;

  const makeClient = (): TodoClient => {
    const created: TodoClient = createClient({
      baseUrl: apiUrl,
      transport,
      userAgent,
      session: env.token
        ? { accessToken: env.token }
        : stored && {
            accessToken: stored.accessToken,
            refreshToken: stored.refreshToken ?? undefined,
          },
      // Refresh under a lock and reuse another run's fresh tokens: presenting a refresh token that
      // another `todo` already rotated would make the API revoke the whole session.
      refreshSession:
        tokenSource === "file"
          ? (stale) =>
              store.withLock(async () => {
                const current = store.read().sessions[apiUrl];
                if (current && current.accessToken !== stale.accessToken) {
                  return {
                    accessToken: current.accessToken,
                    refreshToken: current.refreshToken ?? undefined,
                  };
                }
                const fresh = await created.refresh(stale.refreshToken ?? "");
                await store.saveSession(apiUrl, toStoredSession(fresh), { makeDefault: false });
                return fresh;
              })
          : undefined,
    });
    return created;
  };

  return {
    env,
    apiUrl,
    store,
    tokenSource,
    stored,
    output,
    get client() {
      if (needs === "nothing") throw new Error("This command does not talk to the API.");
      if (needs === "login" && !tokenSource) {
        throw new AuthRequiredError(
          `You are not logged in to ${apiUrl}; run \`todo login\` (or \`todo signup\`).`,
        );
      }
      return (client ??= makeClient());
    },
    clientFor: (accessToken) =>
      createClient({ baseUrl: apiUrl, transport, userAgent, session: { accessToken } }),
  };
}

/** The part of an {@link AuthSession} the credentials file keeps. */
export function toStoredSession(session: AuthSession): Omit<StoredSession, "savedAt"> {
  return {
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    user: { id: session.user.id, email: session.user.email, name: session.user.name },
  };
}

/**
 * Validates an `--api-url`/`TODO_API_URL` value and strips trailing slashes.
 * @throws {UsageError} when it is not an http(s) URL.
 */
export function normalizeApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `"${printable(raw)}" is not a URL; pass the API's address, such as ${DEFAULT_API_URL}.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `"${printable(raw)}" is not an http(s) URL; pass the API's address, such as ${DEFAULT_API_URL}.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * Turns any error into a {@link CliError}: one sentence with what to do next, and its exit code.
 * API errors are told apart by their problem `code` (RFC 9457), never by their text. `context` is
 * missing when the context itself could not be built.
 */
export function describeError(error: unknown, context: Context | undefined): CliError {
  if (error instanceof CliError) return error;
  const apiUrl = context?.apiUrl ?? "the API";
  if (error instanceof NetworkError) {
    return new CliError(
      `Could not reach the todo API at ${apiUrl}; start it with \`pnpm start\` in the todo checkout, or point to another one with --api-url or TODO_API_URL.`,
    );
  }
  if (error instanceof ApiError) {
    switch (error.code) {
      case "unauthorized":
      case "token_expired":
        return new AuthRequiredError(
          context?.tokenSource === "env"
            ? "The access token in TODO_TOKEN was refused (expired or revoked); set a fresh one, or unset it and run `todo login`."
            : `Your session at ${apiUrl} has expired or was revoked; run \`todo login\`.`,
        );
      case "invalid_credentials":
        return new CliError(
          "Wrong email or password; try again, or run `todo signup` to create an account.",
        );
      case "project_name_taken":
        return new CliError(
          `${printable(error.message).replace(/\.$/, "")}; see yours with \`todo projects --all\`.`,
        );
      case "email_taken":
        return new CliError("An account with this email already exists; run `todo login` instead.");
      case "validation_failed":
        return invalidInput(
          (error.problem.errors ?? []).map((field) => ({
            path: printable(field.path),
            message: printable(field.message),
          })),
        );
      case "rate_limited":
        return new CliError(
          `Too many requests; wait ${error.retryAfterSeconds ?? 60} seconds and try again.`,
        );
      default:
        return new CliError(
          `The API answered ${error.status}: ${printable(error.message).replace(/\.$/, "")} (request ${printable(error.problem.requestId) || "unknown"}); try again, or report it with that request id.`,
        );
    }
  }
  // @inquirer's documented way to recognise Ctrl-C at a prompt.
  if (error instanceof Error && error.name === "ExitPromptError")
    return new CliError("Cancelled.", ExitCode.interrupted);
  return new CliError(
    `Unexpected error: ${error instanceof Error ? error.message : String(error)}; please report it.`,
  );
}
