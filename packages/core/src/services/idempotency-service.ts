import type { Database } from "@todo/db";
import { DomainError } from "../errors.js";

/** How long a key is remembered: 24 hours, in milliseconds (DESIGN §2). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a first request may hold its key before a retry may take it over, in milliseconds: a
 * request that never finished (the process died) must not block the key for 24 hours.
 */
export const IDEMPOTENCY_LOCK_TIMEOUT_MS = 60 * 1000;

/** What {@link IdempotencyService.begin} decided for a request. */
export type IdempotencyStart =
  /** First use of the key (or of an expired / released / abandoned one): run the request. */
  | { readonly kind: "proceed" }
  /** The key already completed with the same request: `result` is what it stored, to answer again. */
  | { readonly kind: "replay"; readonly result: string };

/** What {@link IdempotencyService} needs: the database and, for tests, a clock (epoch ms). */
export interface IdempotencyServiceDeps {
  readonly db: Database;
  readonly now?: () => number;
}

/**
 * The rules of idempotency keys (draft-ietf-httpapi-idempotency-key-header): the first request
 * with a key runs and its result is stored; a retry with the same key and the same request gets
 * that result again instead of running twice. The caller says what identifies a request (its
 * fingerprint) and what its result is (opaque text: the API stores the response it sent); this
 * service keeps both and decides.
 *
 * Rules:
 * - Keys are per user (`(user_id, key)`), kept 24 hours; an expired key is treated as unused (and
 *   {@link purgeExpired} deletes it).
 * - The same key with another fingerprint → 422 `idempotency_conflict`.
 * - A retry while the first request still runs → 409 `idempotency_conflict` with
 *   `retryAfterSeconds`. A first request that has held the key for more than
 *   {@link IDEMPOTENCY_LOCK_TIMEOUT_MS} is taken to have died, and a retry takes the key over.
 * - Only a successful request's result is stored. A failed first request changed nothing (every
 *   service write is one transaction), so its key is {@link release}d and a retry runs afresh,
 *   possibly corrected; a failure never poisons a key.
 */
export class IdempotencyService {
  private readonly now: () => number;

  constructor(private readonly deps: IdempotencyServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Claims `key` for `userId` before a request runs, or finds the stored result to replay.
   * Race-safe: of two concurrent first requests exactly one proceeds (the primary key decides).
   * @throws {DomainError} `idempotency_conflict` 422 when the key was used for another request,
   *   409 (retry after 1 s) while the first request with the key is still running.
   */
  async begin(userId: string, key: string, fingerprint: string): Promise<IdempotencyStart> {
    const { idempotencyKeys } = this.deps.db;
    const now = new Date(this.now());
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await idempotencyKeys.claim(userId, key, fingerprint, now)) return { kind: "proceed" };

      const existing = await idempotencyKeys.find(userId, key);
      if (!existing) continue; // released or purged in between: claim it again
      const age = now.getTime() - existing.created_at.getTime();
      const abandoned = existing.result === null && age > IDEMPOTENCY_LOCK_TIMEOUT_MS;
      if (age >= IDEMPOTENCY_KEY_TTL_MS || abandoned) {
        // Take the key over only if nobody else did first (the same claim time).
        if (await idempotencyKeys.takeOver(userId, key, fingerprint, now, existing.created_at))
          return { kind: "proceed" };
        continue;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new DomainError(
          "idempotency_conflict",
          "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
          { status: 422 },
        );
      }
      if (existing.result === null) throw stillRunning();
      return { kind: "replay", result: existing.result };
    }
    throw stillRunning();
  }

  /** Stores the result of the request that claimed `key`, to be replayed for 24 hours. */
  async complete(userId: string, key: string, result: string): Promise<void> {
    await this.deps.db.idempotencyKeys.complete(userId, key, result);
  }

  /** Forgets a claimed key whose request failed, so that a retry runs afresh. */
  async release(userId: string, key: string): Promise<void> {
    await this.deps.db.idempotencyKeys.release(userId, key);
  }

  /** Deletes every key older than 24 hours; returns how many. Run periodically by the server. */
  async purgeExpired(): Promise<number> {
    return this.deps.db.idempotencyKeys.purgeClaimedBefore(
      new Date(this.now() - IDEMPOTENCY_KEY_TTL_MS),
    );
  }
}

function stillRunning(): DomainError {
  return new DomainError(
    "idempotency_conflict",
    "A request with this Idempotency-Key is still being processed. Retry in a moment.",
    { retryAfterSeconds: 1 },
  );
}
