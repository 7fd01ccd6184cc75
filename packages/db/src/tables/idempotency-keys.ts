// The `idempotency_keys` table: one row per `(user_id, key)` claimed by a request, holding what
// that request produced. A keyed request locks, claims and completes its key in the transaction of
// its own work, so the key and the result it stores commit with that work or not at all. Fixed
// statements on the fast path.
import { sql, type Connection } from "../connection.js";

/** An `idempotency_keys` row. */
export interface IdempotencyKeyRow {
  readonly user_id: string;
  readonly key: string;
  /** What identifies the request that claimed the key; another request under it is refused. */
  readonly fingerprint: string;
  /** What the request produced, as its caller chose to store it; null while it runs. */
  readonly result: string | null;
  /** When the key was claimed (or last taken over). */
  readonly created_at: Date;
}

/** The one way to reach the `idempotency_keys` table. */
export interface IdempotencyKeysTable {
  /**
   * Inside a transaction: takes the key's transaction-scoped advisory lock, unless another
   * transaction holds it (false: a request with this key is running). COMMIT or ROLLBACK releases
   * it, also when the connection drops; a transaction pooler keeps it, as it keeps the transaction.
   */
  lock(userId: string, key: string): Promise<boolean>;
  /** Claims an unused key at `claimedAt`; false when the key is already there. */
  claim(userId: string, key: string, fingerprint: string, claimedAt: Date): Promise<boolean>;
  /** The user's key, claimed or completed, or `undefined`. */
  find(userId: string, key: string): Promise<IdempotencyKeyRow | undefined>;
  /**
   * Takes a key over for a new request (its result cleared), if it is still the claim of
   * `previousClaimedAt`; false when someone else took it over or released it first.
   */
  takeOver(
    userId: string,
    key: string,
    fingerprint: string,
    claimedAt: Date,
    previousClaimedAt: Date,
  ): Promise<boolean>;
  /** Stores the result of the request that holds the key (once: a stored result is kept). */
  complete(userId: string, key: string, result: string): Promise<void>;
  /** Deletes a key whose request is still running (it failed), so the key can be used again. */
  release(userId: string, key: string): Promise<void>;
  /** Deletes every key claimed before `before`; resolves to how many. */
  purgeClaimedBefore(before: Date): Promise<number>;
}

/** The `idempotency_keys` table over `connection`. */
export function idempotencyKeysTable(connection: Connection): IdempotencyKeysTable {
  return {
    lock: async (userId, key) =>
      (
        await connection.rows<{ locked: boolean }>(
          sql(
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1::text || ' ' || $2, 0)) AS locked",
            [userId, key],
          ),
        )
      )[0]?.locked === true,
    claim: async (userId, key, fingerprint, claimedAt) =>
      (
        await connection.rows(
          sql(
            `INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
            [userId, key, fingerprint, claimedAt],
          ),
        )
      ).length > 0,
    find: async (userId, key) =>
      (
        await connection.rows<IdempotencyKeyRow>(
          sql("SELECT * FROM idempotency_keys WHERE user_id = $1 AND key = $2", [userId, key]),
        )
      )[0],
    takeOver: async (userId, key, fingerprint, claimedAt, previousClaimedAt) =>
      (await connection.affected(
        sql(
          `UPDATE idempotency_keys SET fingerprint = $3, created_at = $4, result = NULL
           WHERE user_id = $1 AND key = $2 AND created_at = $5`,
          [userId, key, fingerprint, claimedAt, previousClaimedAt],
        ),
      )) > 0,
    async complete(userId, key, result) {
      await connection.affected(
        sql(
          "UPDATE idempotency_keys SET result = $3 WHERE user_id = $1 AND key = $2 AND result IS NULL",
          [userId, key, result],
        ),
      );
    },
    async release(userId, key) {
      await connection.affected(
        sql("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND result IS NULL", [
          userId,
          key,
        ]),
      );
    },
    purgeClaimedBefore: (before) =>
      connection.affected(sql("DELETE FROM idempotency_keys WHERE created_at < $1", [before])),
  };
}
