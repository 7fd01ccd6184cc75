import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing.js";
import {
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_LOCK_TIMEOUT_MS,
  IdempotencyService,
} from "./idempotency-service.js";

let db: TestDatabase;
let clock = Date.parse("2026-11-22T10:00:00Z");
let service: IdempotencyService;
let counter = 0;

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

async function conflictStatus(promise: Promise<unknown>): Promise<number> {
  const error = await failure(promise);
  expect(error.code).toBe("idempotency_conflict");
  return error.status;
}

describe("IdempotencyService", () => {
  it("claims a key once, refuses while in flight (409), replays once complete, refuses another request (422)", async () => {
    const user = await newUser();
    expect(await service.begin(user, "k1", "fp-a")).toEqual({ kind: "proceed" });
    expect(await conflictStatus(service.begin(user, "k1", "fp-a"))).toBe(409);
    expect((await failure(service.begin(user, "k1", "fp-a"))).data.retryAfterSeconds).toBe(1);
    await service.complete(user, "k1", RESULT);
    expect(await service.begin(user, "k1", "fp-a")).toEqual({ kind: "replay", result: RESULT });
    expect(await conflictStatus(service.begin(user, "k1", "fp-b"))).toBe(422);
  });

  it("lets a retry take over a key whose first request died (held longer than the lock timeout)", async () => {
    const user = await newUser();
    expect(await service.begin(user, "k2", "fp")).toEqual({ kind: "proceed" });
    clock += IDEMPOTENCY_LOCK_TIMEOUT_MS + 1;
    expect(await service.begin(user, "k2", "fp")).toEqual({ kind: "proceed" });
    // The takeover holds the key anew.
    expect(await conflictStatus(service.begin(user, "k2", "fp"))).toBe(409);
  });

  it("forgets a released key, so the retry runs afresh even with another body", async () => {
    const user = await newUser();
    await service.begin(user, "k3", "fp-bad");
    await service.release(user, "k3");
    expect(await service.begin(user, "k3", "fp-good")).toEqual({ kind: "proceed" });
  });

  it("keeps a completed key 24 hours, then treats it as unused and purges it", async () => {
    const user = await newUser();
    await service.begin(user, "k4", "fp");
    await service.complete(user, "k4", RESULT);
    clock += IDEMPOTENCY_KEY_TTL_MS - 1000;
    expect((await service.begin(user, "k4", "fp")).kind).toBe("replay");
    clock += 2000;
    expect(await service.begin(user, "k4", "other")).toEqual({ kind: "proceed" });

    await service.begin(user, "k5", "fp");
    clock += IDEMPOTENCY_KEY_TTL_MS + 1;
    expect(await service.purgeExpired()).toBeGreaterThanOrEqual(2);
    expect(await db.idempotencyKeys.find(user, "k4")).toBeUndefined();
    expect(await db.idempotencyKeys.find(user, "k5")).toBeUndefined();
  });
});
