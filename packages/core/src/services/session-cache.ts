import type { Database, Tables } from "@todo/db";
import { LRUCache } from "lru-cache";

/**
 * The notification channel of session revocations. Payload: `<userId>` (every session of the user:
 * password change, account deletion) or `<userId> <sessionId>` (one session: logout, refresh
 * token reuse).
 */
export const SESSION_CHANNEL = "todo_session_revoked";

/**
 * Announces, inside the transaction that revokes them, that the user's sessions (or only
 * `sessionId`) have ended: every process's {@link SessionCache} drops them when the transaction
 * commits.
 */
export async function announceRevocation(
  tables: Tables,
  userId: string,
  sessionId?: string,
): Promise<void> {
  await tables.notify(SESSION_CHANNEL, sessionId === undefined ? userId : `${userId} ${sessionId}`);
}

/** Bounds of a {@link SessionCache}. */
export interface SessionCacheOptions {
  /** Users whose live sessions are remembered (least recently used first out). Default 50,000. */
  maxUsers?: number;
  /**
   * Milliseconds a user's remembered sessions are kept before they are looked up again. A
   * safety net only: revocations reach the cache through notifications. Default 60,000.
   */
  ttlMs?: number;
}

/**
 * Which sessions are live, remembered per process so that an authenticated request costs no
 * query, while a revocation still cuts access at once on every instance.
 *
 * Why it is safe:
 * - Only live sessions are remembered; anything else is looked up every time.
 * - Every revocation (logout, password change, refresh-token reuse, account deletion) sends a
 *   notification in its own transaction ({@link announceRevocation}); each process's listener
 *   delivers it at commit, and the cache drops the user's entries. Between the commit and the
 *   delivery (about a millisecond on one host; `pnpm bench` measures it across two instances) a
 *   request may still pass, as one that started just before the logout would have.
 * - A lookup that was running when a notification arrived is not remembered (the result may
 *   predate the revocation).
 * - While the listener is disconnected the cache is bypassed, every request is looked up, and
 *   everything remembered is dropped when it disconnects and again when it reconnects
 *   (notifications sent meanwhile are lost).
 * - Entries expire after `ttlMs` anyway.
 */
export class SessionCache {
  /** userId → the session ids seen live (`""` for a token without one). */
  private readonly live: LRUCache<string, Set<string>>;
  /** Bumped by every notification and connection change: a lookup that saw it change is not kept. */
  private generation = 0;
  private subscribed = false;
  private readonly revocationWatchers = new Set<(userId: string | undefined) => void>();
  private readonly subscription: Promise<unknown>;

  constructor(
    private readonly db: Database,
    options: SessionCacheOptions = {},
  ) {
    this.live = new LRUCache({ max: options.maxUsers ?? 50_000, ttl: options.ttlMs ?? 60_000 });
    db.listener.onConnectionChange(() => this.forgetAll());
    this.subscription = db.listener
      .subscribe(SESSION_CHANNEL, (payload) => this.revoked(payload))
      .then(
        () => (this.subscribed = true),
        () => undefined, // a closed database: the cache stays bypassed
      );
  }

  /** Resolves once the cache is trusted: subscribed, and the listener connected. For tests. */
  async ready(): Promise<void> {
    await this.subscription;
    await this.db.listener.ready();
  }

  /** True while remembered sessions can be trusted (the listener hears every revocation). */
  get trusted(): boolean {
    return this.subscribed && this.db.listener.connected;
  }

  /**
   * True while the account exists and, with `sessionId`, that session still has a live refresh
   * token: from memory when it was seen live and no revocation has been heard since, else from the
   * database. Both ids must be UUIDs.
   * @throws what the database throws when it cannot be reached.
   */
  async isLive(userId: string, sessionId: string | undefined): Promise<boolean> {
    const key = sessionId ?? "";
    if (this.trusted && this.live.get(userId)?.has(key)) return true;
    const generation = this.generation;
    const live = await this.db.refreshTokens.sessionLive(userId, sessionId);
    if (live && this.trusted && generation === this.generation) {
      const sessions = this.live.get(userId);
      if (sessions) sessions.add(key);
      else this.live.set(userId, new Set([key]));
    }
    return live;
  }

  /**
   * Calls `handler` with the user's id after each revocation heard or made in this process (one
   * session or all of the user's: ask {@link SessionCache.isLive} which), and with no id when the
   * listener reconnects (revocations may have been missed: check every session). Returns its
   * removal.
   */
  onRevocation(handler: (userId: string | undefined) => void): () => void {
    this.revocationWatchers.add(handler);
    return () => this.revocationWatchers.delete(handler);
  }

  /** Drops what a revocation names, in this process only (the notification does the others). */
  forget(userId: string, sessionId?: string): void {
    this.generation++;
    if (sessionId === undefined) this.live.delete(userId);
    else this.live.get(userId)?.delete(sessionId);
    this.tell(userId);
  }

  private revoked(payload: string): void {
    const [userId, sessionId] = payload.split(" ");
    if (userId) this.forget(userId, sessionId);
  }

  private forgetAll(): void {
    this.generation++;
    this.live.clear();
    this.tell(undefined);
  }

  private tell(userId: string | undefined): void {
    for (const handler of [...this.revocationWatchers]) {
      try {
        handler(userId);
      } catch {
        // One watcher's failure is its own.
      }
    }
  }
}
