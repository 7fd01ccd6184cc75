import { setTimeout as sleep } from "node:timers/promises";
import { isDatabaseUnavailable, type Database } from "@todo/db";
import type { Logger } from "pino";

/** `host:port` of a PostgreSQL URL, without user or password. */
export function databaseAddress(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname || "localhost"}:${url.port || "5432"}`;
}

/** Options of {@link waitForDatabase}. */
export interface WaitOptions {
  /** First pause between attempts, in milliseconds; doubled after each, up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Stops waiting (the promise then rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * Waits until `db` answers (`db.ping()`), retrying with exponential backoff (0.25 s doubling to
 * 5 s) while the error says PostgreSQL is not up yet (connection refused, DNS not yet resolvable,
 * the server starting up), and logging one line per attempt: "waiting for PostgreSQL at
 * host:port …". Any other error (wrong password, missing database) is thrown at once.
 * @throws the database's error when it is not a not-up-yet one; the signal's reason when aborted.
 */
export async function waitForDatabase(
  db: Pick<Database, "ping">,
  address: string,
  logger: Logger,
  options: WaitOptions = {},
): Promise<void> {
  const maxDelayMs = options.maxDelayMs ?? 5000;
  let delayMs = options.initialDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      await db.ping();
      if (attempt > 1) logger.info({ address, attempt }, `PostgreSQL at ${address} is up`);
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      logger.warn(
        { address, attempt, retryInMs: delayMs, reason },
        `waiting for PostgreSQL at ${address} (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s`,
      );
    }
    await sleep(delayMs, undefined, { signal: options.signal });
    delayMs = Math.min(maxDelayMs, delayMs * 2);
  }
}
