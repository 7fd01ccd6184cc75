import type { Config } from "@todo/config";
import type { Database } from "@todo/db";
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { DomainError } from "../errors.js";

/**
 * Abuse limits (DESIGN §3, OWASP Authentication Cheat Sheet "Login Throttling") over
 * rate-limiter-flexible, as fixed windows:
 * - login and signup: `authPoints` attempts per `authDuration` seconds per client IP, and as many
 *   per email address (trimmed and lower-cased), failed attempts included;
 * - every authenticated request: `userPoints` per `userDuration` seconds per user.
 *
 * The store is memory (per process, no database round trip) or, with `store: "postgres"`, the
 * `rate_limits` table shared by every API instance, with an in-memory fallback should the database
 * fail. The embedded PGlite database lives in one process, so there the memory store is used.
 * When `enabled` is false every method is a no-op.
 */
export class RateLimitService {
  private readonly authByIp: RateLimiterAbstract | undefined;
  private readonly authByEmail: RateLimiterAbstract | undefined;
  private readonly byUser: RateLimiterAbstract | undefined;

  constructor(db: Database, settings: Config["rateLimit"]) {
    if (!settings.enabled) return;
    const shared = settings.store === "postgres" && db.dialect === "postgres";
    const limiter = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      if (!shared) return memory;
      return db.rateLimits.limiter({ keyPrefix, points, duration, insurance: memory });
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
    await consume(this.authByIp, ip, "Too many login or signup attempts from your network.");
    if (email !== undefined) {
      await consume(
        this.authByEmail,
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
    await consume(this.byUser, userId, "Too many requests.");
  }
}

async function consume(
  limiter: RateLimiterAbstract | undefined,
  key: string,
  why: string,
): Promise<void> {
  if (!limiter) return;
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new DomainError(
      "rate_limited",
      `${why} Retry in ${seconds} second${seconds === 1 ? "" : "s"}.`,
      { retryAfterSeconds: seconds },
    );
  }
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
