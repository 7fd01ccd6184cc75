// The listener on both databases, and on PostgreSQL its recovery from a terminated backend and
// from a server restart (a private cluster). Nothing here waits on the clock: each step waits for
// the notification or state change it expects, and ordering (a later notification arriving)
// proves that an earlier one did not.
import { testDatabaseUrl } from "@todo/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./database.js";
import { LISTENER_APPLICATION_NAME, type Listener } from "./listener.js";
import {
  createTestDatabase,
  freePort,
  PostgresCluster,
  postgresServerBin,
  type TestDatabase,
} from "./testing.js";

/** What a handler received, with a way to wait for a given payload. */
class Inbox {
  readonly received: string[] = [];
  private readonly waiters: { payload: string; resolve: () => void }[] = [];

  readonly handler = (payload: string): void => {
    this.received.push(payload);
    for (const waiter of this.waiters.filter((w) => w.payload === payload)) waiter.resolve();
  };

  /** Resolves once `payload` has been received. */
  until(payload: string): Promise<void> {
    if (this.received.includes(payload)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ payload, resolve }));
  }
}

/** Resolves at the listener's next change to `connected`. */
const becomes = (listener: Listener, connected: boolean): Promise<void> =>
  new Promise((resolve) => {
    const stop = listener.onConnectionChange((value) => {
      if (value !== connected) return;
      stop();
      resolve();
    });
  });

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

describe("listener", () => {
  it("delivers a notification once its transaction commits, never one rolled back, in order", async () => {
    const inbox = new Inbox();
    await db.listener.subscribe("tasks", inbox.handler);
    // The first subscription opens the connection; on PostgreSQL it is made in the background.
    await db.listener.ready();
    expect(db.listener.connected).toBe(true);

    await db.notify("tasks", "outside");
    await db.transaction(async (tx) => {
      await tx.notify("tasks", "committed");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.notify("tasks", "rolled back");
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    await db.notify("tasks", "last");
    await inbox.until("last");
    expect(inbox.received).toEqual(["outside", "committed", "last"]);
  });

  it.skipIf(!testDatabaseUrl())(
    "holds a transaction's notification until the commit (PostgreSQL)",
    async () => {
      const inbox = new Inbox();
      await db.listener.subscribe("commit-order", inbox.handler);
      await db.transaction(async (tx) => {
        await tx.notify("commit-order", "in the transaction");
        // Sent and delivered from another connection while the transaction is still open.
        await db.notify("commit-order", "meanwhile");
        await inbox.until("meanwhile");
        expect(inbox.received).toEqual(["meanwhile"]);
      });
      await inbox.until("in the transaction");
      expect(inbox.received).toEqual(["meanwhile", "in the transaction"]);
    },
  );

  it("stops a handler on unsubscribe and keeps the channel's other handlers", async () => {
    const kept = new Inbox();
    const removed = new Inbox();
    await db.listener.subscribe("shared", kept.handler);
    const unsubscribe = await db.listener.subscribe("shared", removed.handler);
    await db.notify("shared", "one");
    await Promise.all([kept.until("one"), removed.until("one")]);
    unsubscribe();
    await db.notify("shared", "two");
    await kept.until("two");
    expect(removed.received).toEqual(["one"]);
  });

  it("quotes channel names and refuses ones PostgreSQL would cut", async () => {
    const inbox = new Inbox();
    const channel = 'user:"Ann"; DROP TABLE tasks';
    await db.listener.subscribe(channel, inbox.handler);
    await db.notify(channel, "quoted");
    await inbox.until("quoted");
    await expect(db.listener.subscribe("x".repeat(64), inbox.handler)).rejects.toThrow(RangeError);
    await expect(db.listener.subscribe("", inbox.handler)).rejects.toThrow(RangeError);
  });

  it.skipIf(!testDatabaseUrl())(
    "reaches every process on the database: a notification from one is delivered to the other (PostgreSQL)",
    async () => {
      const url = new URL(testDatabaseUrl()!);
      url.pathname = `/${db.name}`;
      const other = openDatabase({ databaseUrl: url.toString() });
      try {
        const inbox = new Inbox();
        await other.listener.subscribe("between", inbox.handler);
        await other.listener.ready();
        await db.notify("between", "from the first");
        await inbox.until("from the first");
      } finally {
        await other.close();
      }
    },
  );

  it.skipIf(!testDatabaseUrl())(
    "reconnects after its backend is terminated, says so, and listens again (PostgreSQL)",
    async () => {
      const inbox = new Inbox();
      await db.listener.subscribe("terminated", inbox.handler);
      await db.listener.ready();
      const changes: boolean[] = [];
      const stop = db.listener.onConnectionChange((connected) => changes.push(connected));
      const lost = becomes(db.listener, false);
      const back = becomes(db.listener, true);
      const [terminated] = await db.sql<{ count: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS count FROM pg_stat_activity
         WHERE application_name = $1 AND datname = current_database()`,
        [LISTENER_APPLICATION_NAME],
      );
      expect(terminated?.count).toBe(1);
      await lost;
      await back;
      stop();
      expect(changes).toEqual([false, true]);
      await db.notify("terminated", "after");
      await inbox.until("after");
    },
  );
});

const BIN = postgresServerBin();

describe.skipIf(BIN === undefined)(
  "listener across a PostgreSQL restart (a private cluster; skipped without initdb)",
  () => {
    let cluster: PostgresCluster;
    let clustered: Database;
    beforeAll(async () => {
      cluster = new PostgresCluster(BIN!, await freePort());
      await cluster.init();
      await cluster.start();
      clustered = openDatabase({ databaseUrl: cluster.url });
    });
    afterAll(async () => {
      await clustered?.close();
      await cluster?.remove();
    });

    it("is disconnected while the server is down and listens again once it is back", async () => {
      const inbox = new Inbox();
      await clustered.listener.subscribe("restart", inbox.handler);
      await clustered.listener.ready();
      await clustered.notify("restart", "before");
      await inbox.until("before");

      const lost = becomes(clustered.listener, false);
      await cluster.kill();
      await lost;
      expect(clustered.listener.connected).toBe(false);

      const back = becomes(clustered.listener, true);
      await cluster.start();
      await back;
      await clustered.notify("restart", "after");
      await inbox.until("after");
      expect(inbox.received).toEqual(["before", "after"]);
    });
  },
);
