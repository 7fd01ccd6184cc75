// SessionCache on a real database: a live session costs one lookup, then none until a revocation
// is heard; a lookup that raced a revocation is not remembered; without a listener every call
// looks up.
import { testDatabaseUrl } from "@todo/config";
import { openDatabase, type Database } from "@todo/db";
import { createTestDatabase, freePort, type TestDatabase } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { announceRevocation, SESSION_CHANNEL, SessionCache } from "./session-cache.js";

let lookups = 0;
let db: TestDatabase;
let cache: SessionCache;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase({
    onStatement: ({ sql }) => {
      if (/from refresh_tokens/i.test(sql)) lookups++;
    },
  });
  cache = new SessionCache(db);
  await cache.ready();
});
afterAll(() => db.close());

/** A user with one live session; resolves to their ids. */
async function session(): Promise<{ userId: string; sessionId: string }> {
  const user = await db.users.insert({ email: `cache${++counter}@example.com` });
  const sessionId = crypto.randomUUID();
  await db.refreshTokens.insert({
    userId: user.id,
    familyId: sessionId,
    tokenHash: crypto.randomUUID(),
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  return { userId: user.id, sessionId };
}

/** Resolves when the listener has delivered the next revocation (after the cache's own handler). */
function heard(database: Database): Promise<void> {
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    void database.listener
      .subscribe(SESSION_CHANNEL, () => {
        stop?.();
        resolve();
      })
      .then((unsubscribe) => (stop = unsubscribe));
  });
}

describe("SessionCache", () => {
  it("looks a live session up once, then answers from memory until its revocation is heard", async () => {
    const { userId, sessionId } = await session();
    const before = lookups;
    expect(await cache.isLive(userId, sessionId)).toBe(true);
    expect(await cache.isLive(userId, sessionId)).toBe(true);
    expect(await cache.isLive(userId, sessionId)).toBe(true);
    expect(lookups - before).toBe(1);

    const revoked = heard(db);
    await db.transaction(async (tx) => {
      await tx.refreshTokens.revokeFamily(sessionId);
      await announceRevocation(tx, userId, sessionId);
    });
    await revoked;
    expect(await cache.isLive(userId, sessionId)).toBe(false);
    expect(await cache.isLive(userId, sessionId)).toBe(false);
    expect(lookups - before).toBe(3); // refused sessions are never remembered
  });

  it("forgets every session of a user on a user-wide revocation", async () => {
    const { userId, sessionId } = await session();
    expect(await cache.isLive(userId, sessionId)).toBe(true);
    expect(await cache.isLive(userId, undefined)).toBe(true);
    const revoked = heard(db);
    await db.transaction(async (tx) => {
      await tx.users.delete(userId);
      await announceRevocation(tx, userId);
    });
    await revoked;
    expect(await cache.isLive(userId, sessionId)).toBe(false);
    expect(await cache.isLive(userId, undefined)).toBe(false);
  });

  it("does not remember a lookup that a revocation overtook", async () => {
    const { userId, sessionId } = await session();
    const before = lookups;
    const racing = cache.isLive(userId, sessionId); // its lookup is sent now…
    cache.forget(userId, sessionId); // …and a revocation is heard before it answers
    expect(await racing).toBe(true);
    expect(await cache.isLive(userId, sessionId)).toBe(true);
    expect(lookups - before).toBe(2);
  });

  it.skipIf(!testDatabaseUrl())(
    "looks every call up while its listener cannot connect (PostgreSQL)",
    async () => {
      // A listener pointed at a port where nothing listens never connects.
      const unheard = openDatabase({
        databaseUrl: db.url!,
        listenUrl: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
        onStatement: ({ sql }) => {
          if (/from refresh_tokens/i.test(sql)) lookups++;
        },
      });
      try {
        const bypassed = new SessionCache(unheard);
        const { userId, sessionId } = await session();
        const before = lookups;
        for (let call = 0; call < 3; call++)
          expect(await bypassed.isLive(userId, sessionId)).toBe(true);
        expect(bypassed.trusted).toBe(false);
        expect(lookups - before).toBe(3);
      } finally {
        await unheard.close();
      }
    },
  );
});
