// Notifications between processes: PostgreSQL LISTEN/NOTIFY over one dedicated connection per
// process, or PGlite's own notifications for the embedded database (one process, one session).
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Queryable } from "./connection.js";

/** Called with a notification's payload (text, at most 7999 bytes). */
export type NotificationHandler = (payload: string) => void;

/** Called when the listener connects (`true`) or loses its connection (`false`). */
export type ConnectionHandler = (connected: boolean) => void;

/**
 * The process's one listening connection. Channels are subscribed to on it with LISTEN; a
 * notification sent with `notify` (Tables) by any process reaches every subscriber of its channel,
 * in commit order, once the sending transaction commits (PostgreSQL's NOTIFY semantics).
 *
 * While {@link Listener.connected} is false, notifications are being missed: a cache kept up to
 * date by them must not be trusted then, and must be emptied when the listener connects again
 * (`onConnectionChange`), since the ones sent in between are never delivered.
 */
export interface Listener {
  /**
   * True while every subscribed channel is being listened to. PGlite: always true once open.
   * PostgreSQL: false until the connection is made, and from its loss until it is made again.
   */
  readonly connected: boolean;
  /**
   * Calls `handler` with the payload of each notification on `channel` (1 to 63 bytes, any
   * text: it is quoted). Opens the listening connection on first use. Resolves once the channel
   * is listened to (or, while disconnected, once it is registered: it is listened to on
   * reconnection), to a function that removes `handler` (and UNLISTENs after the last one).
   * A handler that throws is ignored by the others.
   */
  subscribe(channel: string, handler: NotificationHandler): Promise<() => void>;
  /** Calls `handler` on each change of {@link Listener.connected}; returns its removal. */
  onConnectionChange(handler: ConnectionHandler): () => void;
  /** Resolves once connected (opening the connection if needed). For start-up and tests. */
  ready(): Promise<void>;
  /** Stops listening and closes the connection; no reconnection follows. Safe to call twice. */
  close(): Promise<void>;
}

/** How a PostgreSQL listener (re)connects; every field has a default. */
export interface PostgresListenerOptions {
  /** Milliseconds to wait for a connection before retrying. Default 1500. */
  connectTimeoutMs?: number | undefined;
  /** First pause before a reconnection attempt, doubled per failure up to `maxBackoffMs`. Default 50 ms. */
  minBackoffMs?: number | undefined;
  /** Longest pause between reconnection attempts. Default 1000 ms. */
  maxBackoffMs?: number | undefined;
  /**
   * How often the connection is checked with `SELECT 1`, in milliseconds; one that does not answer
   * within `connectTimeoutMs` is dropped and made again. A server that vanishes without closing
   * its connections (a network partition) is thus noticed within about this plus that. Default 5000.
   */
  heartbeatMs?: number | undefined;
}

/** The `application_name` of the listening connection, as `pg_stat_activity` shows it. */
export const LISTENER_APPLICATION_NAME = "todo-listener";

/** The longest channel name PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer ones are cut. */
const MAX_CHANNEL_BYTES = 63;

function checkChannel(channel: string): void {
  const bytes = Buffer.byteLength(channel);
  if (bytes < 1 || bytes > MAX_CHANNEL_BYTES) {
    throw new RangeError(`a channel name has 1 to ${MAX_CHANNEL_BYTES} bytes: "${channel}"`);
  }
}

const listen = (channel: string) => `LISTEN ${pg.escapeIdentifier(channel)}`;
const unlisten = (channel: string) => `UNLISTEN ${pg.escapeIdentifier(channel)}`;

/** The subscribers of each channel and of the connection's state, shared by both listeners. */
class Subscribers {
  readonly channels = new Map<string, Set<NotificationHandler>>();
  private readonly watchers = new Set<ConnectionHandler>();

  /** Adds a handler; true when it is the channel's first (so the channel must be listened to). */
  add(channel: string, handler: NotificationHandler): boolean {
    const handlers = this.channels.get(channel);
    if (handlers) {
      handlers.add(handler);
      return false;
    }
    this.channels.set(channel, new Set([handler]));
    return true;
  }

  /** Removes a handler; true when it was the channel's last (so the channel can be unlistened). */
  remove(channel: string, handler: NotificationHandler): boolean {
    const handlers = this.channels.get(channel);
    if (!handlers?.delete(handler) || handlers.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  deliver(channel: string, payload: string): void {
    for (const handler of [...(this.channels.get(channel) ?? [])]) {
      try {
        handler(payload);
      } catch {
        // One subscriber's failure is its own; the others still get the notification.
      }
    }
  }

  watch(handler: ConnectionHandler): () => void {
    this.watchers.add(handler);
    return () => this.watchers.delete(handler);
  }

  announce(connected: boolean): void {
    for (const handler of [...this.watchers]) {
      try {
        handler(connected);
      } catch {
        // As for notifications.
      }
    }
  }
}

/**
 * A listener on its own `pg.Client` to `url`, made again with exponential backoff whenever it is
 * lost (server restart, terminated backend, failed heartbeat); each connection LISTENs to every
 * subscribed channel before it counts as connected. Nothing connects until the first
 * `subscribe` or `ready`.
 */
export function postgresListener(url: string, options: PostgresListenerOptions = {}): Listener {
  const connectTimeoutMs = options.connectTimeoutMs ?? 1500;
  const minBackoffMs = options.minBackoffMs ?? 50;
  const maxBackoffMs = options.maxBackoffMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const subscribers = new Subscribers();
  let client: pg.Client | undefined;
  let connected = false;
  let closed = false;
  let running: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const waiting = new Set<() => void>();

  const setConnected = (value: boolean) => {
    if (connected === value) return;
    connected = value;
    if (value) for (const resolve of waiting) resolve();
    if (value) waiting.clear();
    subscribers.announce(value);
  };

  /** Drops `lost` (if still current) and starts connecting again. */
  const drop = (lost: pg.Client) => {
    if (client !== lost) return;
    client = undefined;
    clearInterval(heartbeat);
    destroy(lost);
    setConnected(false);
    if (!closed) start();
  };

  const connectOnce = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs,
      keepAlive: true,
      // Names the connection in pg_stat_activity.
      application_name: LISTENER_APPLICATION_NAME,
    });
    next.on("error", () => drop(next));
    next.on("end", () => drop(next));
    next.on("notification", (message) => {
      if (message.payload !== undefined) subscribers.deliver(message.channel, message.payload);
    });
    client = next;
    try {
      await next.connect();
      // Until every channel is listened to, those subscribed meanwhile included.
      const listened = new Set<string>();
      for (;;) {
        const channel = [...subscribers.channels.keys()].find((name) => !listened.has(name));
        if (channel === undefined) break;
        await next.query(listen(channel));
        listened.add(channel);
      }
      if (client !== next) throw new Error("the connection was lost or closed while listening");
    } catch (error) {
      if (client === next) client = undefined;
      destroy(next);
      throw error;
    }
    heartbeat = setInterval(() => {
      const timer = setTimeout(() => drop(next), connectTimeoutMs);
      next.query("SELECT 1").then(
        () => clearTimeout(timer),
        () => clearTimeout(timer), // the error or end event drops it
      );
    }, heartbeatMs);
    heartbeat.unref();
    setConnected(true);
  };

  const start = () => {
    running ??= (async () => {
      for (let attempt = 0; !closed; attempt++) {
        try {
          await connectOnce();
          return;
        } catch {
          const pause = Math.min(maxBackoffMs, minBackoffMs * 2 ** attempt);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pause);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      }
    })().finally(() => (running = undefined));
  };

  return {
    get connected() {
      return connected;
    },
    async subscribe(channel, handler) {
      checkChannel(channel);
      if (closed) throw new Error("the listener is closed");
      const first = subscribers.add(channel, handler);
      const current = client;
      if (first && current && connected) {
        // A failure here means the connection is going: reconnection listens to every channel.
        await current.query(listen(channel)).catch(() => undefined);
      } else if (!current) {
        start();
      }
      return () => {
        if (subscribers.remove(channel, handler) && connected) {
          client?.query(unlisten(channel)).catch(() => undefined);
        }
      };
    },
    onConnectionChange: (handler) => subscribers.watch(handler),
    ready() {
      if (closed) return Promise.reject(new Error("the listener is closed"));
      if (connected) return Promise.resolve();
      const ready = new Promise<void>((resolve) => waiting.add(resolve));
      if (!client) start();
      return ready;
    },
    async close() {
      if (closed) return;
      closed = true;
      wake?.();
      clearInterval(heartbeat);
      const last = client;
      client = undefined;
      setConnected(false);
      if (last) await last.end().catch(() => undefined);
      await running;
    },
  };
}

/** Ends a client's socket at once, whatever state the connection is in. */
function destroy(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection
    ?.stream;
  stream?.destroy();
  client.end().catch(() => undefined);
}

/**
 * A listener on the embedded database: PGlite is one session in this process, which LISTENs and
 * receives its own notifications (PostgreSQL delivers them to the notifying session too). LISTEN
 * and UNLISTEN go through `driver` (knex's pool of one), so they never run inside another
 * caller's transaction. Always connected.
 */
export function pgliteListener(pglite: PGlite, driver: Queryable): Listener {
  const subscribers = new Subscribers();
  const stopNotifications = pglite.onNotification((channel, payload) =>
    subscribers.deliver(channel, payload),
  );
  let closed = false;
  return {
    get connected() {
      return !closed;
    },
    async subscribe(channel, handler) {
      checkChannel(channel);
      if (closed) throw new Error("the listener is closed");
      if (subscribers.add(channel, handler)) await driver.query(listen(channel), []);
      return () => {
        if (subscribers.remove(channel, handler) && !closed) {
          driver.query(unlisten(channel), []).catch(() => undefined);
        }
      };
    },
    onConnectionChange: (handler) => subscribers.watch(handler),
    ready: () => (closed ? Promise.reject(new Error("the listener is closed")) : Promise.resolve()),
    close() {
      if (!closed) {
        closed = true;
        stopNotifications();
        subscribers.announce(false);
      }
      return Promise.resolve();
    },
  };
}
