// Event streams across instances (DESIGN §9): two API instances on one database, each with its own
// services and (on PostgreSQL) its own pool and listening connection. A change made through A
// reaches a stream open on B; B resumes from Last-Event-ID with changes made on A; and, on a
// private PostgreSQL cluster killed and started again, a stream stays open across the restart and
// misses nothing written around it. Each step waits for the event it expects.
import { testConfig, testDatabaseUrl } from "@todo/config";
import { migrateLatest, openDatabase, type Database } from "@todo/db";
import {
  createTestDatabase,
  freePort,
  PostgresCluster,
  postgresServerBin,
  type TestDatabase,
} from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openEvents,
  send,
  signup,
  startInstance,
  type TestEventStream,
  type TestInstance,
  type TestUser,
} from "./testing/index.js";

const addTask = async (instance: TestInstance, user: TestUser, title: string) => {
  const reply = await send(instance.url, "POST", "/api/v1/tasks", {
    token: user.token,
    json: { title },
  });
  expect(reply.status).toBe(201);
  return reply.body;
};

describe("two instances on one database", () => {
  let shared: TestDatabase;
  let dbB: Database;
  let a: TestInstance;
  let b: TestInstance;
  const streams: TestEventStream[] = [];

  beforeAll(async () => {
    const config = testConfig({ RATE_LIMIT_ENABLED: "false" });
    // On PostgreSQL, B has its own pool and listener; PGlite is one process's database, so B
    // shares it (and its listener) but keeps its own services and streams.
    shared = await createTestDatabase();
    dbB = shared.url ? openDatabase({ databaseUrl: shared.url }) : shared;
    a = await startInstance(config, shared);
    b = await startInstance(config, dbB);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await a?.close();
    await b?.close();
    if (dbB !== shared) await dbB?.close();
    await shared?.close();
  });

  it("delivers a change made through A to a stream on B, and never another user's", async () => {
    const [alice, bob] = await Promise.all([signup(a.url), signup(a.url)]);
    const stream = await openEvents(b.url, alice.token);
    streams.push(stream);
    expect(stream.status).toBe(200);
    await addTask(a, bob, "bob's");
    const task = await addTask(a, alice, "alice's");
    const event = await stream.next();
    expect(event).toMatchObject({ event: "task.created", id: "1" });
    expect(JSON.parse(event.data)).toEqual(task);
    expect(stream.pending).toEqual([]);
  });

  it("resumes on B from the Last-Event-ID a stream on A gave, with no gap and no duplicate", async () => {
    const alice = await signup(a.url);
    const onA = await openEvents(a.url, alice.token);
    streams.push(onA);
    await addTask(a, alice, "one");
    expect((await onA.next()).id).toBe("1");
    onA.close();
    await addTask(b, alice, "two");
    await addTask(a, alice, "three");
    const onB = await openEvents(b.url, alice.token, { "Last-Event-ID": "1" });
    streams.push(onB);
    const titles = [await onB.next(), await onB.next()].map((event) => [
      event.id,
      JSON.parse(event.data).title,
    ]);
    expect(titles).toEqual([
      ["2", "two"],
      ["3", "three"],
    ]);
  });
});

const BIN = postgresServerBin();

describe.skipIf(BIN === undefined || !testDatabaseUrl())(
  "a database restart under an open stream (a private PostgreSQL cluster; PostgreSQL only, skipped without its server binaries)",
  () => {
    let cluster: PostgresCluster;
    let dbA: Database;
    let dbB: Database;
    let a: TestInstance;
    let b: TestInstance;

    beforeAll(async () => {
      cluster = new PostgresCluster(BIN!, await freePort());
      await cluster.init();
      await cluster.start();
      const config = testConfig({ DATABASE_URL: cluster.url, RATE_LIMIT_ENABLED: "false" });
      dbA = openDatabase({ databaseUrl: cluster.url, ...config.databaseTimeouts });
      dbB = openDatabase({ databaseUrl: cluster.url, ...config.databaseTimeouts });
      await migrateLatest(dbA);
      a = await startInstance(config, dbA);
      b = await startInstance(config, dbB);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await dbA?.close();
      await dbB?.close();
      await cluster?.remove();
    });

    it("keeps the stream open across the restart and delivers what was written around it, in order, once", async () => {
      const alice = await signup(a.url);
      const stream = await openEvents(b.url, alice.token);
      expect(stream.status).toBe(200);
      await addTask(a, alice, "before");
      expect((await stream.next()).id).toBe("1");

      const lost = new Promise<void>((resolve) => {
        const stop = dbB.listener.onConnectionChange((connected) => {
          if (connected) return;
          stop();
          resolve();
        });
      });
      await cluster.kill();
      await lost;
      await cluster.start();
      // Written through A, possibly before B's listener is back: its notification may be lost to
      // B, which then reads the log when it reconnects.
      let written: Awaited<ReturnType<typeof send>> | undefined;
      while (written?.status !== 201) {
        written = await send(a.url, "POST", "/api/v1/tasks", {
          token: alice.token,
          json: { title: "around the restart" },
        });
        expect([201, 503]).toContain(written.status);
      }
      await dbB.listener.ready();
      await addTask(a, alice, "after");
      const events = [await stream.next(), await stream.next()];
      expect(events.map((event) => [event.id, JSON.parse(event.data).title])).toEqual([
        ["2", "around the restart"],
        ["3", "after"],
      ]);
      expect(stream.pending).toEqual([]);
      stream.close();
    });
  },
);
