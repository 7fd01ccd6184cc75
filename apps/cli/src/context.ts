/**
 * What every command that talks to the API needs, built once per run: the environment, the API URL,
 * the stored session, a client that refreshes and saves an expired access token silently, and the
 * translation of client errors into one sentence and an exit code. Loaded lazily by each command's
 * action, so `todo --help` never pays for zod or the client.
 */
import { loadCliEnvironment, type CliEnvironment } from "@todo/config/cli";
import { ApiError, NetworkError, createClient, type TodoClient } from "@todo/client";
import type { AuthSession } from "@todo/contract";
import { CredentialsStore, type StoredSession } from "./credentials.js";
import { AuthRequiredError, CliError, ExitCode, UsageError } from "./errors.js";
import type { CommonOptionValues } from "./options.js";
import { createOutput, type Output } from "./output.js";
import { CLI_VERSION } from "./version.js";

/** The API used when nothing else names one. */
export const DEFAULT_API_URL = "http://127.0.0.1:3000";

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
  readonly client: TodoClient;
  readonly output: Output;
  /** @throws {AuthRequiredError} when there is no access token for {@link apiUrl}. */
  requireLogin(): void;
  /** Turns any error into a {@link CliError} with a sentence fit for this run. */
  describe(error: unknown): CliError;
}

/**
 * Builds the context and runs `body` in it; any error leaves as a {@link CliError}.
 * @throws {CliError} always, on failure; the entry point prints it and exits with its code.
 */
export async function withContext(
  options: CommonOptionValues,
  body: (context: Context) => Promise<void>,
): Promise<void> {
  const context = await createContext(options);
  try {
    await body(context);
  } catch (error) {
    throw context.describe(error);
  }
}

async function createContext(options: CommonOptionValues): Promise<Context> {
  const env = loadCliEnvironment();
  const store = new CredentialsStore(env.configDir);
  const file = await store.read();
  const apiUrl = normalizeApiUrl(
    options.apiUrl ?? env.apiUrl ?? file.defaultApiUrl ?? DEFAULT_API_URL,
  );
  const stored = file.sessions[apiUrl];
  const tokenSource = env.token ? "env" : stored ? "file" : undefined;
  const client: TodoClient = createClient({
    baseUrl: apiUrl,
    session: env.token
      ? { accessToken: env.token }
      : stored && {
          accessToken: stored.accessToken,
          refreshToken: stored.refreshToken ?? undefined,
        },
    userAgent: `todo-cli/${CLI_VERSION}`,
    // Refresh under a lock and reuse another run's fresh tokens: presenting a refresh token that
    // another `todo` already rotated would make the API revoke the whole session.
    refreshSession:
      tokenSource === "file"
        ? (stale) =>
            store.withLock(async () => {
              const current = (await store.read()).sessions[apiUrl];
              if (current && current.accessToken !== stale.accessToken) {
                return {
                  accessToken: current.accessToken,
                  refreshToken: current.refreshToken ?? undefined,
                };
              }
              const fresh = await client.refresh(stale.refreshToken ?? "");
              await store.saveSession(apiUrl, toStoredSession(fresh), { makeDefault: false });
              return fresh;
            })
        : undefined,
  });
  const output = createOutput({ json: Boolean(options.json), noColor: env.noColor });

  const context: Context = {
    env,
    apiUrl,
    store,
    tokenSource,
    stored,
    client,
    output,
    requireLogin() {
      if (!tokenSource)
        throw new AuthRequiredError(
          `You are not logged in to ${apiUrl}; run \`todo login\` (or \`todo signup\`).`,
        );
    },
    describe(error) {
      return describeError(error, context);
    },
  };
  return context;
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
      `"${raw}" is not a URL; pass the API's address, such as ${DEFAULT_API_URL}.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `"${raw}" is not an http(s) URL; pass the API's address, such as ${DEFAULT_API_URL}.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

function describeError(error: unknown, context: Context): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof NetworkError) {
    return new CliError(
      `Could not reach the todo API at ${context.apiUrl}; start it with \`pnpm start\` in the todo checkout, or point to another one with --api-url or TODO_API_URL.`,
    );
  }
  if (error instanceof ApiError) {
    switch (error.code) {
      case "unauthorized":
      case "token_expired":
        return new AuthRequiredError(
          context.tokenSource === "env"
            ? "The access token in TODO_TOKEN was refused (expired or revoked); set a fresh one, or unset it and run `todo login`."
            : `Your session at ${context.apiUrl} has expired or was revoked; run \`todo login\`.`,
        );
      case "invalid_credentials":
        return new CliError(
          "Wrong email or password; try again, or run `todo signup` to create an account.",
        );
      case "email_taken":
        return new CliError("An account with this email already exists; run `todo login` instead.");
      case "validation_failed": {
        const fields = (error.problem.errors ?? [])
          .map((field) => `${field.path} ${field.message}`)
          .join("; ");
        return new CliError(
          `The API refused the input${fields ? `: ${fields}` : ` (${error.message})`}.`,
          ExitCode.usage,
        );
      }
      case "rate_limited":
        return new CliError(`Too many requests; wait a minute and try again (${error.message}).`);
      default:
        return new CliError(
          `The API answered ${error.status}: ${error.message.replace(/\.$/, "")} (request ${error.problem.requestId || "unknown"}).`,
        );
    }
  }
  if (error instanceof Error && error.name === "ExitPromptError")
    return new CliError("Cancelled.", ExitCode.interrupted);
  return new CliError(
    `Unexpected error: ${error instanceof Error ? error.message : String(error)}.`,
  );
}
