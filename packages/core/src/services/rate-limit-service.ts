import type { Config } from "@todo/config";
import type { Database } from "@todo/db";
import { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { DomainError } from "../errors.js";

/**
 * Abuse limits (DESIGN §3, OWASP Authentication Cheat Sheet "Login Throttling") over
 * rate-limiter-flexible, as fixed windows:
 * - login and signup: `authPoints` attempts per `authDuration` seconds per client IP, and as many
 *   per email address (trimmed and lower-cased), failed attempts included;
 * - every authenticated request: `userPoints` per `userDuration` seconds per user.
 *
 * The store is memory (per process, no database round trip), or shared by every API instance:
 * with `store: "postgres"` the `rate_limits` table, with `store: "redis"` Redis (through the client
 * given, see {@link createRedisClient}). A shared store has an in-memory insurance limiter that
 * counts in its place while it fails, so an outage of the store never fails a request. The
 * embedded PGlite database lives in one process, so there the memory store is used for
 * `postgres`. When `enabled` is false every method is a no-op.
 */
export class RateLimitService {
  private readonly authByIp: RateLimiterAbstract | undefined;
  private readonly authByEmail: RateLimiterAbstract | undefined;
  private readonly byUser: RateLimiterAbstract | undefined;

  /**
   * @param redis the client of the `redis` store (required with it, ignored otherwise).
   * @param onReject called with the limit's name (`auth-ip`, `auth-email`, `user`) each time a
   *   request is refused (metrics).
   * @throws {Error} for the `redis` store without a client.
   */
  constructor(
    db: Database,
    settings: Config["rateLimit"],
    redis?: Redis,
    private readonly onReject?: (limit: string) => void,
  ) {
    if (!settings.enabled) return;
    if (settings.store === "redis" && !redis) throw new Error("the redis store needs a client");
    const limiter = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      if (settings.store === "redis" && redis) {
        return new RateLimiterRedis({
          keyPrefix,
          points,
          duration,
          storeClient: redis,
          // Not connected: count in memory at once rather than wait for a reconnection.
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        });
      }
      if (settings.store === "postgres" && db.dialect === "postgres") {
        return db.rateLimits.limiter({ keyPrefix, points, duration, insurance: memory });
      }
      return memory;
    };
    this.authByIp = limiter("auth-ip", settings.authPoints, settings.authDuration);
    this.authByEmail = limiter("auth-email", settings.authPoints, settings.authDuration);
    this.byUser = limiter("user", settings.userPoints, settings.userDuration);
  }

  /**
   * Counts one login or signup attempt from `ip` for `email` (when the body had one).
   * @throws {DomainError} `rate_limited` (429) with `Retry-After` in seconds (RFC 9110 §10.2.3).
   */
  async consumeAuthAttempt(ip: string, email: string | undefined): Promise<void> {
    await this.consume(
      this.authByIp,
      "auth-ip",
      ip,
      "Too many login or signup attempts from your network.",
    );
    if (email !== undefined) {
      await this.consume(
        this.authByEmail,
        "auth-email",
        normaliseEmail(email),
        "Too many login or signup attempts for this email address.",
      );
    }
  }

  /** Clears the per-email count after a successful login, so its owner is not locked out later. */
  async resetEmail(email: string): Promise<void> {
    await this.authByEmail?.delete(normaliseEmail(email)).catch(() => false);
  }

  /**
   * Counts one authenticated request of `userId`.
   * @throws {DomainError} `rate_limited` (429) with `Retry-After` in seconds.
   */
  async consumeUserRequest(userId: string): Promise<void> {
    await this.consume(this.byUser, "user", userId, "Too many requests.");
  }

  private async consume(
    limiter: RateLimiterAbstract | undefined,
    name: string,
    key: string,
    why: string,
  ): Promise<void> {
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.onReject?.(name);
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new DomainError(
        "rate_limited",
        `${why} Retry in ${seconds} second${seconds === 1 ? "" : "s"}.`,
        { retryAfterSeconds: seconds },
      );
    }
  }
}

/**
 * A Redis client (ioredis) for the `redis` rate-limit store at `url`, made to fail fast rather
 * than wait: while disconnected a command is refused at once (no offline queue), a connection
 * attempt gives up after 1 s and a command after 500 ms, so the limiters' insurance counts
 * instead; it reconnects in the background (every 0.2–2 s). Connection errors are passed to
 * `options.onError` (a log), never thrown. `options.keyPrefix` is put before every key (several
 * services or tests sharing one Redis). Close it with `quit()` or `disconnect()`.
 */
export function createRedisClient(
  url: string,
  options: { keyPrefix?: string; onError?: (error: Error) => void } = {},
): Redis {
  const { keyPrefix, onError } = options;
  const client = new Redis(url, {
    ...(keyPrefix ? { keyPrefix } : {}),
    enableOfflineQueue: false,
    connectTimeout: 1000,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  client.on("error", (error: Error) => onError?.(error));
  return client;
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
