// The change sequence, delta sync and the event streams on a real database (PostgreSQL with
// TEST_DATABASE_URL, else PGlite): every kind of change is recorded once, in order, per owner.
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { SyncQuery, type SyncParams } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing.js";
import type { Actor } from "./auth-service.js";
import { LiveEvents, type StreamEndReason } from "./live-events.js";
import { ProjectService } from "./project-service.js";
import { SessionCache } from "./session-cache.js";
import { SyncService, type SequencedEvent } from "./sync-service.js";
import { TaskService } from "./task-service.js";
import { UserService } from "./user-service.js";

let db: TestDatabase;
let tasks: TaskService;
let projects: ProjectService;
let sync: SyncService;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  tasks = new TaskService(db);
  projects = new ProjectService(db);
  sync = new SyncService(db);
});
afterAll(() => db.close());

async function newActor(): Promise<Actor> {
  const user = await db.users.insert({ email: `sync${++counter}@example.com` });
  return { userId: user.id };
}

const syncOf = (actor: Actor, params: SyncParams = {}) => sync.sync(actor, SyncQuery.parse(params));
const events = async (actor: Actor, after = 0) =>
  (await sync.eventsAfter(actor.userId, after, 1000)).map((event) => [event.id, event.type]);

describe("the change sequence", () => {
  it("records every kind of change to tasks and projects, in order, and nothing for a write that changes nothing", async () => {
    const alice = await newActor();
    const home = await projects.create(alice, { name: "Home" });
    const task = await tasks.create(alice, { title: "Buy milk", projectId: home.id });
    await tasks.update(alice, task.id, { title: "Buy oat milk" });
    await tasks.update(alice, task.id, { title: "Buy oat milk" }); // no change
    await tasks.setCompleted(alice, task.id, true);
    await tasks.setCompleted(alice, task.id, true); // no change
    await tasks.remove(alice, task.id);
    await tasks.restore(alice, task.id);
    await projects.rename(alice, home.id, { name: "House" });
    await projects.setArchived(alice, home.id, true);
    await projects.remove(alice, home.id); // with its task
    await projects.restore(alice, home.id); // and the task back
    expect(await events(alice)).toEqual([
      ["1", "project.created"],
      ["2", "task.created"],
      ["3", "task.updated"],
      ["4", "task.updated"],
      ["5", "task.deleted"],
      ["6", "task.restored"],
      ["7", "project.updated"],
      ["8", "project.updated"],
      ["9", "project.deleted"],
      ["10", "task.deleted"],
      ["11", "project.restored"],
      ["12", "task.restored"],
    ]);
    expect(await events(alice, 10)).toEqual([
      ["11", "project.restored"],
      ["12", "task.restored"],
    ]);
  });

  it("gives concurrent writes of one owner distinct, gapless values, and each owner their own", async () => {
    const [alice, bob] = await Promise.all([newActor(), newActor()]);
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => tasks.create(i % 2 ? alice : bob, { title: `t${i}` })),
    );
    await Promise.all(
      created.map((task, i) =>
        tasks.update(i % 2 ? alice : bob, task.id, { title: `changed ${i}` }),
      ),
    );
    for (const actor of [alice, bob]) {
      const ids = (await events(actor)).map(([id]) => Number(id));
      expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    }
  });

  it("forgets the account's changes with the account", async () => {
    const alice = await newActor();
    await tasks.create(alice, { title: "gone soon" });
    await new UserService(db).delete(alice);
    expect(await sync.eventsAfter(alice.userId, 0, 10)).toEqual([]);
    expect((await failure(syncOf(alice))).code).toBe("unauthorized");
  });
});

describe("sync", () => {
  it("answers the full live state, then exactly what changed after the token, deletions as tombstones", async () => {
    const alice = await newActor();
    const home = await projects.create(alice, { name: "Home" });
    const kept = await tasks.create(alice, { title: "kept", projectId: home.id });
    const binned = await tasks.create(alice, { title: "binned" });
    await tasks.remove(alice, binned.id);

    const full = await syncOf(alice);
    expect(full.tasks).toEqual([kept]);
    expect(full.projects).toEqual([{ ...home, openTasks: 1 }]);
    expect(full).toMatchObject({ token: "4", more: false });

    expect(await syncOf(alice, { since: full.token })).toEqual({
      tasks: [],
      projects: [],
      token: "4",
      more: false,
    });

    await tasks.update(alice, kept.id, { title: "kept, renamed" });
    await tasks.update(alice, kept.id, { priority: "high" });
    await tasks.remove(alice, kept.id);
    await tasks.restore(alice, binned.id);
    const added = await tasks.create(alice, { title: "new" });
    const delta = await syncOf(alice, { since: full.token });
    expect(delta.tasks).toEqual([
      { id: kept.id, deleted: true },
      await tasks.get(alice, binned.id),
      added,
    ]);
    expect(delta.projects).toEqual([]);
    expect(delta).toMatchObject({ token: "9", more: false });
  });

  it("pages a full sync and a delta, each page handing the token of the next", async () => {
    const alice = await newActor();
    await projects.create(alice, { name: "Home" });
    for (let i = 1; i <= 5; i++) await tasks.create(alice, { title: `t${i}` });
    const first = await syncOf(alice, { limit: 2 });
    expect(first).toMatchObject({ token: "6:2", more: true });
    expect(first.projects).toHaveLength(1);
    expect(first.tasks.map((task) => task.id)).toEqual([1, 2]);
    const second = await syncOf(alice, { since: first.token, limit: 2 });
    expect(second).toMatchObject({ token: "6:4", more: true, projects: [] });
    const third = await syncOf(alice, { since: second.token, limit: 2 });
    expect(third).toMatchObject({ token: "6", more: false });
    expect(third.tasks.map((task) => task.id)).toEqual([5]);

    for (let id = 1; id <= 5; id++) await tasks.update(alice, id, { title: `u${id}` });
    const seen: number[] = [];
    let token = third.token;
    for (let more = true; more;) {
      const page = await syncOf(alice, { since: token, limit: 2 });
      seen.push(...page.tasks.map((task) => task.id));
      ({ token, more } = page);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(token).toBe("11");
  });

  it("answers 410 sync_token_expired for a token older than the changes kept, or ahead of the owner's", async () => {
    const alice = await newActor();
    const task = await tasks.create(alice, { title: "old" });
    await tasks.update(alice, task.id, { title: "older" });
    expect((await failure(syncOf(alice, { since: "3" }))).code).toBe("sync_token_expired");
    await db.sql("UPDATE changes SET created_at = now() - interval '31 days' WHERE user_id = $1", [
      alice.userId,
    ]);
    await tasks.update(alice, task.id, { title: "new" });
    expect(await sync.prune(new Date(Date.now() - 30 * 24 * 3600 * 1000))).toBeGreaterThanOrEqual(
      1,
    );
    const expired = await failure(syncOf(alice, { since: "1" }));
    expect(expired).toMatchObject({ code: "sync_token_expired", status: 410 });
    expect((await syncOf(alice, { since: "2" })).tasks).toEqual([await tasks.get(alice, task.id)]);
  });

  it("never shows another user's changes", async () => {
    const [alice, bob] = await Promise.all([newActor(), newActor()]);
    await tasks.create(bob, { title: "bob's" });
    await projects.create(bob, { name: "Bob's" });
    await tasks.create(alice, { title: "alice's" });
    const delta = await syncOf(alice, { since: "0" });
    expect(delta.tasks.map((task) => "title" in task && task.title)).toEqual(["alice's"]);
    expect(delta.projects).toEqual([]);
    expect(await events(alice)).toEqual([["1", "task.created"]]);
  });
});

describe("event streams", () => {
  it("sends the owner's changes after the start, once each, and ends when the session is revoked", async () => {
    const sessions = new SessionCache(db);
    const live = new LiveEvents(db, sessions, sync);
    const [alice, bob] = await Promise.all([newActor(), newActor()]);
    const before = await tasks.create(alice, { title: "before" });
    const received: SequencedEvent[] = [];
    let ended: StreamEndReason | undefined;
    const arrived = waiter<void>();
    const endedNow = waiter<void>();
    await live.open(alice, 1, {
      send(event) {
        received.push(event);
        if (received.length === 2) arrived.resolve();
        return true;
      },
      end(reason) {
        ended = reason;
        endedNow.resolve();
      },
    });
    await tasks.create(bob, { title: "not alice's" });
    await tasks.update(alice, before.id, { title: "after" });
    await tasks.remove(alice, before.id);
    await arrived.promise;
    expect(received.map((event) => [event.id, event.type, event.data])).toEqual([
      ["2", "task.updated", expect.objectContaining({ id: before.id })],
      ["3", "task.deleted", { id: before.id, deleted: true }],
    ]);
    expect(live.size).toBe(1);

    await new UserService(db, sessions).delete(alice);
    await endedNow.promise;
    expect(ended).toBe("revoked");
    expect(live.size).toBe(0);
    live.close();
  });
});

describe("a client that does not keep up", () => {
  it("is dropped (slow) rather than buffered, and resumes from its last event", async () => {
    const live = new LiveEvents(db, new SessionCache(db), sync);
    const alice = await newActor();
    const ended = waiter<StreamEndReason>();
    const sent: string[] = [];
    await live.open(alice, 0, {
      send: (event) => {
        sent.push(event.id);
        return false; // its buffer is past the bound
      },
      end: ended.resolve,
    });
    await tasks.create(alice, { title: "one" });
    await tasks.create(alice, { title: "two" });
    expect(await ended.promise).toBe("slow");
    expect(sent).toEqual(["1"]);
    expect(live.size).toBe(0);
    expect((await sync.eventsAfter(alice.userId, 1, 10)).map((event) => event.id)).toEqual(["2"]);
    live.close();
  });
});

function waiter<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
