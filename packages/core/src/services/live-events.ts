import { CHANGES_CHANNEL, type Database } from "@todo/db";
import type { Actor } from "./auth-service.js";
import type { SessionCache } from "./session-cache.js";
import type { SequencedEvent, SyncService } from "./sync-service.js";

/** Why {@link LiveEvents} ended a stream. */
export type StreamEndReason =
  /** The stream's session was revoked (logout, password change elsewhere, account deleted). */
  | "revoked"
  /** The client did not read fast enough: it may reconnect with its last event id. */
  | "slow"
  /** The process is shutting down. */
  | "closed";

/** Where a stream's events go (the API writes them as Server-Sent Events). */
export interface EventSink {
  /**
   * Sends one event. Returns false when the client is not keeping up (its unsent data passed
   * the bound the sink keeps): the stream then ends with `slow`, rather than buffer without bound.
   */
  send(event: SequencedEvent): boolean;
  /** Called once when {@link LiveEvents} ends the stream (not when its closer is called). */
  end(reason: StreamEndReason): void;
}

/** Tuning of {@link LiveEvents}; every field has a default. */
export interface LiveEventsOptions {
  /** Changes read per query while catching up. Default 200. */
  readonly batchSize?: number;
  /** Milliseconds before a failed read (database unreachable) is tried again. Default 1000. */
  readonly retryMs?: number;
}

/**
 * The event streams of this process (DESIGN §9). Each stream remembers the last sequence value it
 * sent and reads the change log after it whenever its owner's changes are announced on
 * `todo_changes` (the database notifies at each commit, on every instance, through the process's
 * one listening connection), so what it sends has no gap and no duplicate: after a lost
 * notification, a listener reconnection (database restart) or a failed read, it simply reads
 * again from where it is. Reads borrow a pool connection per query and hold none while idle.
 *
 * A stream ends when its session is revoked: every revocation heard by the {@link SessionCache}
 * (and every listener reconnection, which may have missed some) makes the streams concerned check
 * their session again.
 */
export class LiveEvents {
  private readonly streams = new Map<string, Set<Stream>>();
  private subscription: Promise<unknown> | undefined;
  private closed = false;
  private readonly batchSize: number;
  private readonly retryMs: number;

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionCache,
    private readonly sync: SyncService,
    options: LiveEventsOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.retryMs = options.retryMs ?? 1000;
    db.listener.onConnectionChange((connected) => {
      if (connected) for (const stream of this.all()) stream.pull();
    });
    sessions.onRevocation((userId) => {
      const concerned = userId === undefined ? this.all() : [...(this.streams.get(userId) ?? [])];
      for (const stream of concerned) stream.check();
    });
  }

  /** Streams open now. */
  get size(): number {
    let size = 0;
    for (const streams of this.streams.values()) size += streams.size;
    return size;
  }

  /**
   * Opens a stream of the caller's events after sequence value `after` (see
   * `SyncService.streamStart`) into `sink`. Resolves once it listens: every change committed
   * after `after` reaches the sink, in order, once. The function it resolves to closes the stream
   * (the client left); {@link EventSink.end} is not called then.
   * @throws {Error} when the listener or the process is closed.
   */
  async open(actor: Actor, after: number, sink: EventSink): Promise<() => void> {
    if (this.closed) throw new Error("the event streams are closed");
    this.subscription ??= this.db.listener.subscribe(CHANGES_CHANNEL, (userId) => {
      for (const stream of this.streams.get(userId) ?? []) stream.pull();
    });
    await this.subscription;
    const stream = new Stream(this, actor, after, sink);
    const streams = this.streams.get(actor.userId) ?? new Set();
    streams.add(stream);
    this.streams.set(actor.userId, streams);
    stream.pull();
    return () => stream.stop(undefined);
  }

  /** Ends every stream (`closed`) and opens no more: the process is shutting down. */
  close(): void {
    this.closed = true;
    for (const stream of this.all()) stream.stop("closed");
  }

  /** @internal */
  read(userId: string, after: number): Promise<SequencedEvent[]> {
    return this.sync.eventsAfter(userId, after, this.batchSize);
  }

  /** @internal */
  get batch(): number {
    return this.batchSize;
  }

  /** @internal */
  get retryDelay(): number {
    return this.retryMs;
  }

  /** @internal */
  isLive(actor: Actor): Promise<boolean> {
    return this.sessions.isLive(actor.userId, actor.sessionId);
  }

  /** @internal */
  remove(stream: Stream): void {
    const streams = this.streams.get(stream.actor.userId);
    streams?.delete(stream);
    if (streams?.size === 0) this.streams.delete(stream.actor.userId);
  }

  private all(): Stream[] {
    return [...this.streams.values()].flatMap((streams) => [...streams]);
  }
}

/** One client's stream: reads the log after what it sent, one read at a time. */
class Stream {
  private pulling = false;
  private again = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly owner: LiveEvents,
    readonly actor: Actor,
    private sent: number,
    private readonly sink: EventSink,
  ) {}

  /** Reads and sends what is new; while a read runs, one more follows it. */
  pull(): void {
    if (this.stopped) return;
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = true;
    this.again = false;
    void this.drain().finally(() => {
      this.pulling = false;
      if (this.again) this.pull();
    });
  }

  /** Ends the stream when its session is no longer live (kept when that cannot be told now). */
  check(): void {
    if (this.stopped) return;
    this.owner.isLive(this.actor).then(
      (live) => live || this.stop("revoked"),
      () => undefined, // the database is unreachable: checked again on reconnection
    );
  }

  stop(reason: StreamEndReason | undefined): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retry);
    this.owner.remove(this);
    if (reason) this.sink.end(reason);
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const events = await this.owner.read(this.actor.userId, this.sent);
        for (const event of events) {
          if (this.stopped) return;
          if (event.seq <= this.sent) continue;
          if (!this.sink.send(event)) {
            this.stop("slow");
            return;
          }
          this.sent = event.seq;
        }
        if (events.length < this.owner.batch) return;
      }
    } catch {
      // The database is unreachable: try again later (a reconnection also pulls).
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.pull(), this.owner.retryDelay);
      this.retry.unref();
    }
  }
}
