import type { Database } from "@todo/db";
import { DomainError } from "../errors.js";

/** How long a key is remembered: 24 hours, in milliseconds (DESIGN §2). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a first request may hold its key before a retry may take it over, in milliseconds: a
 * request that never finished (the process died) must not block the key for 24 hours.
 */
export const IDEMPOTENCY_LOCK_TIMEOUT_MS = 60 * 1000;

/** How {@link IdempotencyService.run} ended. */
export type IdempotencyOutcome =
  /** The work ran (first use of the key, or of an expired or abandoned one) and committed. */
  | { readonly kind: "ran" }
  /** The key already completed with the same request: `result` is what it stored, to answer again. */
  | { readonly kind: "replay"; readonly result: string };

/**
 * A keyed request's work, run in the transaction that holds its key: it writes through `tx` only
 * (nothing else is in the transaction) and resolves to the result to store and replay, or to
 * `null` when it produced nothing worth replaying (the key is then left unused).
 */
export type IdempotentWork = (tx: Database) => Promise<string | null>;

/** What {@link IdempotencyService} needs: the database and, for tests, a clock (epoch ms). */
export interface IdempotencyServiceDeps {
  readonly db: Database;
  readonly now?: () => number;
}

/**
 * The rules of idempotency keys (draft-ietf-httpapi-idempotency-key-header): the first request
 * with a key runs and its result is stored; a retry with the same key and the same request gets
 * that result again instead of running twice. The caller says what identifies a request (its
 * fingerprint) and what its result is (opaque text: the API stores the response it sends); this
 * service keeps both and decides.
 *
 * The key is locked, claimed and completed in the one transaction that does the request's work,
 * so the stored result commits with the write it describes or not at all: a process killed after
 * COMMIT but before answering has its result replayed to the retry, and one killed before COMMIT
 * leaves neither write nor key behind, so the retry runs afresh at once.
 *
 * Rules:
 * - Keys are per user (`(user_id, key)`), kept 24 hours; an expired key is treated as unused (and
 *   {@link purgeExpired} deletes it).
 * - The same key with another fingerprint → 422 `idempotency_conflict`.
 * - A retry while the first request still runs (its transaction holds the key's lock) → 409
 *   `idempotency_conflict` with `retryAfterSeconds`. A key left claimed without a result (by a
 *   version that stored results apart from the work) for more than
 *   {@link IDEMPOTENCY_LOCK_TIMEOUT_MS} is taken to have died, and a retry takes it over.
 * - Only a successful request's result is stored: work that throws rolls back with its key, so a
 *   failure never poisons a key and a corrected retry runs.
 */
export class IdempotencyService {
  private readonly now: () => number;

  constructor(private readonly deps: IdempotencyServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Runs `work` under `key` for `userId` in one transaction with the key, or finds the stored
   * result to replay (then `work` does not run). Race-safe: of two concurrent first requests
   * exactly one runs, the other is refused with 409 (never left waiting).
   * @throws {DomainError} `idempotency_conflict` 422 when the key was used for another request,
   *   409 (retry after 1 s) while the first request with the key is still running; whatever
   *   `work` throws (after rolling its writes back).
   */
  async run(
    userId: string,
    key: string,
    fingerprint: string,
    work: IdempotentWork,
  ): Promise<IdempotencyOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const { idempotencyKeys } = tx;
      if (!(await idempotencyKeys.lock(userId, key))) throw stillRunning();
      const replay = await this.claim(tx, userId, key, fingerprint);
      if (replay) return replay;
      const result = await work(tx);
      if (result === null) await idempotencyKeys.release(userId, key);
      else await idempotencyKeys.complete(userId, key, result);
      return { kind: "ran" } as const;
    });
  }

  /**
   * Claims the key (locked by this transaction) for a new run, or returns the replay it holds.
   * @throws {DomainError} as {@link run} does.
   */
  private async claim(
    tx: Database,
    userId: string,
    key: string,
    fingerprint: string,
  ): Promise<IdempotencyOutcome | undefined> {
    const { idempotencyKeys } = tx;
    const now = new Date(this.now());
    if (await idempotencyKeys.claim(userId, key, fingerprint, now)) return undefined;

    const existing = await idempotencyKeys.find(userId, key);
    if (!existing) throw stillRunning(); // deleted under the lock: only by an older version
    const age = now.getTime() - existing.created_at.getTime();
    const abandoned = existing.result === null && age > IDEMPOTENCY_LOCK_TIMEOUT_MS;
    if (age >= IDEMPOTENCY_KEY_TTL_MS || abandoned) {
      if (await idempotencyKeys.takeOver(userId, key, fingerprint, now, existing.created_at))
        return undefined;
      throw stillRunning();
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
