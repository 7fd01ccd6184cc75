import { createHash } from "node:crypto";
import type { Database } from "@todo/db";
import { DomainError } from "../errors.js";

/** How long a key is remembered: 24 hours, in milliseconds (DESIGN §2). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a first request may hold its key before a retry may take it over, in milliseconds: a
 * request that never finished (the process died) must not block the key for 24 hours.
 */
export const IDEMPOTENCY_LOCK_TIMEOUT_MS = 60 * 1000;

/** 1–255 visible US-ASCII characters (0x21–0x7E). */
const KEY_SYNTAX = /^[\x21-\x7e]{1,255}$/;

/** A response as it is stored and replayed: status, the headers worth replaying, the JSON text. */
export interface StoredResponse {
  readonly status: number;
  /** Lower-case header names, e.g. `location`, `etag`, `content-type`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body text sent the first time; `null` for a response without a body. */
  readonly body: string | null;
}

/** What {@link IdempotencyService.begin} decided for a request. */
export type IdempotencyStart =
  /** First use of the key (or of an expired / released / abandoned one): run the request. */
  | { readonly kind: "proceed" }
  /** The key already completed with the same request: send this response again. */
  | { readonly kind: "replay"; readonly response: StoredResponse };

/** What {@link IdempotencyService} needs: the database and, for tests, a clock (epoch ms). */
export interface IdempotencyServiceDeps {
  readonly db: Database;
  readonly now?: () => number;
}

/**
 * `Idempotency-Key` for unsafe requests (draft-ietf-httpapi-idempotency-key-header): the first
 * request with a key runs and its response is stored; a retry with the same key and the same
 * request gets that response again instead of running twice.
 *
 * Rules:
 * - Keys are per user (`(user_id, key)`), 1–255 visible ASCII characters, kept 24 hours; an
 *   expired key is treated as unused (and {@link purgeExpired} deletes it).
 * - The same key with another request (method, path or body) → 422 `idempotency_conflict`.
 * - A retry while the first request still runs → 409 `idempotency_conflict`. A first request that
 *   has held the key for more than {@link IDEMPOTENCY_LOCK_TIMEOUT_MS} is taken to have died, and a
 *   retry takes the key over.
 * - Only successful (2xx) responses are stored. A failed first request changed nothing (every
 *   service write is one transaction), so its key is {@link release}d and a retry runs afresh,
 *   possibly with a corrected body; a 4xx/5xx never poisons a key.
 */
export class IdempotencyService {
  private readonly now: () => number;

  constructor(private readonly deps: IdempotencyServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Checks the syntax of an `Idempotency-Key` header value and returns the key. The draft's
   * structured-field string form (`"abc"`) and the bare form (`abc`, as Stripe uses) are both
   * accepted.
   * @throws {DomainError} `validation_failed` (422) for an empty, over-long or non-ASCII key.
   */
  static parseKey(header: string): string {
    const quoted = /^"((?:[^"\\]|\\["\\])*)"$/.exec(header.trim());
    const key = quoted?.[1] !== undefined ? quoted[1].replace(/\\(["\\])/g, "$1") : header.trim();
    if (!KEY_SYNTAX.test(key)) {
      throw new DomainError(
        "validation_failed",
        "The Idempotency-Key header must be 1–255 visible ASCII characters (for example a UUID).",
        {
          errors: [{ path: "Idempotency-Key", message: "must be 1–255 visible ASCII characters" }],
        },
      );
    }
    return key;
  }

  /**
   * The fingerprint of a request: SHA-256 (hex) over the method, the path and the body as
   * canonical JSON (object keys sorted), so a reordered but equal body is the same request.
   */
  static fingerprint(method: string, path: string, body: unknown): string {
    return createHash("sha256")
      .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`)
      .digest("hex");
  }

  /**
   * Claims `key` for `userId` before a request runs, or finds the stored response to replay.
   * Race-safe: of two concurrent first requests exactly one proceeds (the primary key decides).
   * @throws {DomainError} `idempotency_conflict` 422 when the key was used for another request,
   *   409 while the first request with the key is still running.
   */
  async begin(userId: string, key: string, fingerprint: string): Promise<IdempotencyStart> {
    const { IdempotencyKey } = this.deps.db.models;
    const now = this.now();
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted: unknown[] = await this.deps.db
        .knex("idempotency_keys")
        .insert({ user_id: userId, key, fingerprint, created_at: new Date(now) })
        .onConflict(["user_id", "key"])
        .ignore()
        .returning("key");
      if (inserted.length > 0) return { kind: "proceed" };

      const existing = await IdempotencyKey.query().findOne({ user_id: userId, key });
      if (!existing) continue; // released or purged in between: claim it again
      const age = now - existing.createdAt.getTime();
      const abandoned = existing.responseStatus === null && age > IDEMPOTENCY_LOCK_TIMEOUT_MS;
      if (age >= IDEMPOTENCY_KEY_TTL_MS || abandoned) {
        // Take the key over only if nobody else did (same row, same created_at).
        const taken = await IdempotencyKey.query()
          .patch({
            fingerprint,
            createdAt: new Date(now),
            responseStatus: null,
            responseHeaders: null,
            responseBody: null,
          })
          .where({ user_id: userId, key, created_at: existing.createdAt });
        if (taken > 0) return { kind: "proceed" };
        continue;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new DomainError(
          "idempotency_conflict",
          "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
          { status: 422 },
        );
      }
      if (existing.responseStatus === null) {
        throw new DomainError(
          "idempotency_conflict",
          "A request with this Idempotency-Key is still being processed. Retry in a moment.",
          { retryAfterSeconds: 1 },
        );
      }
      return {
        kind: "replay",
        response: {
          status: existing.responseStatus,
          headers: existing.responseHeaders ?? {},
          body: typeof existing.responseBody === "string" ? existing.responseBody : null,
        },
      };
    }
    throw new DomainError(
      "idempotency_conflict",
      "A request with this Idempotency-Key is still being processed. Retry in a moment.",
      { retryAfterSeconds: 1 },
    );
  }

  /** Stores the response of the request that claimed `key`, to be replayed for 24 hours. */
  async complete(userId: string, key: string, response: StoredResponse): Promise<void> {
    await this.deps.db.models.IdempotencyKey.query()
      .patch({
        responseStatus: response.status,
        // Stringified here so pg and PGlite both receive plain JSON text for the jsonb column.
        responseHeaders: JSON.stringify(response.headers) as unknown as Record<string, string>,
        responseBody: response.body,
      })
      .where({ user_id: userId, key })
      .whereNull("response_status");
  }

  /** Forgets a claimed key whose request failed, so that a retry runs afresh. */
  async release(userId: string, key: string): Promise<void> {
    await this.deps.db.models.IdempotencyKey.query()
      .delete()
      .where({ user_id: userId, key })
      .whereNull("response_status");
  }

  /** Deletes every key older than 24 hours; returns how many. Run periodically by the server. */
  async purgeExpired(): Promise<number> {
    const deleted: unknown = await this.deps.db.models.IdempotencyKey.query()
      .delete()
      .where("created_at", "<", new Date(this.now() - IDEMPOTENCY_KEY_TTL_MS));
    return affectedRows(deleted);
  }
}

/** A DELETE's row count: pg gives a number, knex-pglite 0.14 the driver result (`{ rowCount }`). */
function affectedRows(result: unknown): number {
  if (typeof result === "number") return result;
  const count = (result as { rowCount?: unknown } | null)?.rowCount;
  return typeof count === "number" ? count : 0;
}

/** JSON with object keys in sorted order, so equal values always give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
