import { testDatabaseUrl } from "@todo/config";
import type { Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing.js";
import {
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_LOCK_TIMEOUT_MS,
  IdempotencyService,
} from "./idempotency-service.js";
import { TaskService } from "./task-service.js";

let db: TestDatabase;
let clock = Date.parse("2026-11-22T10:00:00Z");
let service: IdempotencyService;
let counter = 0;
const postgres = testDatabaseUrl() !== undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  service = new IdempotencyService({ db, now: () => clock });
});
afterAll(() => db.close());

async function newUser(): Promise<string> {
  const user = await db.users.insert({ email: `idem-core${++counter}@example.com` });
  return user.id;
}

/** What a caller stores: opaque to the service, given back as it was. */
const RESULT = '{"status":201,"headers":{"location":"/api/v1/tasks/1"},"body":"{\\"id\\":1}"}';

/** Work that writes nothing and stores {@link RESULT}. */
const storeResult = () => Promise.resolve(RESULT);

/** Work that creates one task in the key's transaction and stores {@link RESULT}. */
const createTask = (userId: string, title: string) => async (tx: Database) => {
  await new TaskService(tx).create({ userId }, { title });
  return RESULT;
};

async function titles(userId: string): Promise<string[]> {
  const { data } = await new TaskService(db).list(
    { userId },
    { status: "all", limit: 100, deleted: false },
  );
  return data.map((task) => task.title);
}

async function conflictStatus(promise: Promise<unknown>): Promise<number> {
  const error = await failure(promise);
  expect(error.code).toBe("idempotency_conflict");
  return error.status;
}

describe("IdempotencyService", () => {
  it("runs the work once, replays its stored result, refuses another request with the key (422)", async () => {
    const user = await newUser();
    expect(await service.run(user, "k1", "fp-a", createTask(user, "once"))).toEqual({
      kind: "ran",
    });
    let ranAgain = false;
    const again = await service.run(user, "k1", "fp-a", () => {
      ranAgain = true;
      return storeResult();
    });
    expect(again).toEqual({ kind: "replay", result: RESULT });
    expect(ranAgain).toBe(false);
    expect(await conflictStatus(service.run(user, "k1", "fp-b", createTask(user, "other")))).toBe(
      422,
    );
    expect(await titles(user)).toEqual(["once"]);
  });

  it("commits the key with the work: work that fails (a process dying before COMMIT) leaves neither", async () => {
    const user = await newUser();
    const died = new Error("the process died before COMMIT");
    const failed = service.run(user, "k2", "fp", async (tx) => {
      await createTask(user, "lost")(tx);
      throw died;
    });
    await expect(failed).rejects.toBe(died);
    expect(await titles(user)).toEqual([]);
    expect(await db.idempotencyKeys.find(user, "k2")).toBeUndefined();
    // The retry runs at once, even corrected (another fingerprint).
    expect((await service.run(user, "k2", "fp-2", createTask(user, "kept"))).kind).toBe("ran");
    expect(await titles(user)).toEqual(["kept"]);
  });

  it("leaves the key unused when the work stores no result", async () => {
    const user = await newUser();
    expect(await service.run(user, "k3", "fp", () => Promise.resolve(null))).toEqual({
      kind: "ran",
    });
    expect(await db.idempotencyKeys.find(user, "k3")).toBeUndefined();
  });

  it("refuses a key whose first request still runs (409), and lets a retry take over a key left claimed too long", async () => {
    const user = await newUser();
    // A claim without a result, as a version that stored results apart from the work left it.
    await db.idempotencyKeys.claim(user, "k4", "fp", new Date(clock));
    const status = await conflictStatus(service.run(user, "k4", "fp", createTask(user, "no")));
    expect(status).toBe(409);
    expect((await failure(service.run(user, "k4", "fp", storeResult))).data).toEqual({
      retryAfterSeconds: 1,
    });
    clock += IDEMPOTENCY_LOCK_TIMEOUT_MS + 1;
    expect((await service.run(user, "k4", "fp", createTask(user, "yes"))).kind).toBe("ran");
    expect(await titles(user)).toEqual(["yes"]);
  });

  it("refuses (409) a retry while the first request's transaction holds the key; PGlite, one connection, makes it wait and replay", async () => {
    const user = await newUser();
    let finish!: () => void;
    const holding = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = service.run(user, "k5", "fp", async (tx) => {
      started();
      await holding;
      return createTask(user, "first")(tx);
    });
    await running;
    const retry = service.run(user, "k5", "fp", createTask(user, "second"));
    if (postgres) {
      expect(await conflictStatus(retry)).toBe(409);
      finish();
    } else {
      finish();
      expect((await retry).kind).toBe("replay");
    }
    expect((await first).kind).toBe("ran");
    expect((await service.run(user, "k5", "fp", createTask(user, "third"))).kind).toBe("replay");
    expect(await titles(user)).toEqual(["first"]);
  });

  it("keeps a completed key 24 hours, then treats it as unused and purges it", async () => {
    const user = await newUser();
    await service.run(user, "k6", "fp", storeResult);
    clock += IDEMPOTENCY_KEY_TTL_MS - 1000;
    expect((await service.run(user, "k6", "fp", storeResult)).kind).toBe("replay");
    clock += 2000;
    expect(await service.run(user, "k6", "other", storeResult)).toEqual({ kind: "ran" });

    await service.run(user, "k7", "fp", storeResult);
    clock += IDEMPOTENCY_KEY_TTL_MS + 1;
    expect(await service.purgeExpired()).toBeGreaterThanOrEqual(2);
    expect(await db.idempotencyKeys.find(user, "k6")).toBeUndefined();
    expect(await db.idempotencyKeys.find(user, "k7")).toBeUndefined();
  });
});
