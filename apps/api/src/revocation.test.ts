// Revocation across instances: two API instances on one database, each with its own
// session cache and (on PostgreSQL) its own listening connection. A session ended on A is refused
// on B as soon as B hears of it, while B looks no session up for requests it has seen live. No
// step waits on the clock: each waits for the notification B's listener delivers, and B's cache
// handler runs before this test's own (handlers run in subscription order).
import { testConfig, testDatabaseUrl } from "@todo/config";
import { SESSION_CHANNEL } from "@todo/core";
import { openDatabase, type Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, startInstance, type TestInstance } from "./testing/index.js";

/** Session lookups (the refresh_tokens check) sent to the database of instance B. */
let lookups = 0;
const countLookups = ({ sql }: { sql: string }) => {
  if (/from refresh_tokens/i.test(sql) && /exists/i.test(sql)) lookups++;
};

let shared: TestDatabase;
let dbB: Database;
let a: TestInstance;
let b: TestInstance;

beforeAll(async () => {
  const config = testConfig({ RATE_LIMIT_ENABLED: "false" });
  // On PostgreSQL, B is another pool and listener on the same database; PGlite is one process's
  // database, so B shares it (and its listener) but keeps its own services and session cache.
  shared = await createTestDatabase({
    onStatement: (s) => (shared?.url ? undefined : countLookups(s)),
  });
  dbB = shared.url ? openDatabase({ databaseUrl: shared.url, onStatement: countLookups }) : shared;
  a = await startInstance(config, shared);
  b = await startInstance(config, dbB);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  if (dbB !== shared) await dbB?.close();
  await shared?.close();
});

async function call(
  instance: TestInstance,
  method: string,
  path: string,
  init: { token?: string; json?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${instance.url}/api/v1${path}`, {
    method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

let counter = 0;
async function signup(): Promise<{ email: string; accessToken: string; refreshToken: string }> {
  const email = `revocation${++counter}@example.com`;
  const reply = await call(a, "POST", "/auth/signup", { json: { email, password: PASSWORD } });
  expect(reply.status).toBe(201);
  return { email, ...reply.body };
}

async function login(email: string): Promise<{ accessToken: string; refreshToken: string }> {
  const reply = await call(a, "POST", "/auth/login", { json: { email, password: PASSWORD } });
  expect(reply.status).toBe(200);
  return reply.body;
}

/** Resolves when B's listener has delivered the next revocation naming `userId`. */
function heardOnB(userId: string): Promise<void> {
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    void dbB.listener
      .subscribe(SESSION_CHANNEL, (payload) => {
        if (!payload.startsWith(userId)) return;
        stop?.();
        resolve();
      })
      .then((unsubscribe) => (stop = unsubscribe));
  });
}

/** Asserts that B serves `token` from its cache: answered 200 without a session lookup. */
async function servedFromCache(token: string): Promise<void> {
  expect((await call(b, "GET", "/users/me", { token })).status).toBe(200);
  const before = lookups;
  expect((await call(b, "GET", "/tasks", { token })).status).toBe(200);
  expect((await call(b, "GET", "/users/me", { token })).status).toBe(200);
  expect(lookups - before).toBe(0);
}

const userIdOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub;

describe("revocation across two instances", () => {
  it("refuses on B a session logged out on A, once B hears of it, and looked nothing up before", async () => {
    const user = await signup();
    await servedFromCache(user.accessToken);
    const heard = heardOnB(userIdOf(user.accessToken));
    expect(
      (await call(a, "POST", "/auth/logout", { json: { refreshToken: user.refreshToken } })).status,
    ).toBe(204);
    await heard;
    const refused = await call(b, "GET", "/users/me", { token: user.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("unauthorized");
  });

  it("refuses on B the other sessions of a password changed on A, and keeps the one that changed it", async () => {
    const user = await signup();
    const other = await login(user.email);
    await servedFromCache(other.accessToken);
    await servedFromCache(user.accessToken);
    const heard = heardOnB(userIdOf(user.accessToken));
    const changed = await call(a, "POST", "/users/me/password", {
      token: user.accessToken,
      json: { currentPassword: PASSWORD, newPassword: "a brand new passphrase" },
    });
    expect(changed.status).toBe(204);
    await heard;
    expect((await call(b, "GET", "/users/me", { token: other.accessToken })).status).toBe(401);
    expect((await call(b, "GET", "/users/me", { token: user.accessToken })).status).toBe(200);
  });

  it("refuses on B a session whose refresh token was reused on A", async () => {
    const user = await signup();
    await servedFromCache(user.accessToken);
    const rotated = await call(a, "POST", "/auth/refresh", {
      json: { refreshToken: user.refreshToken },
    });
    expect(rotated.status).toBe(200);
    // Still the same session: the new access token is served, the old one too until it expires.
    await servedFromCache(rotated.body.accessToken);
    const heard = heardOnB(userIdOf(user.accessToken));
    const reused = await call(a, "POST", "/auth/refresh", {
      json: { refreshToken: user.refreshToken },
    });
    expect(reused.status).toBe(401);
    await heard;
    expect((await call(b, "GET", "/users/me", { token: rotated.body.accessToken })).status).toBe(
      401,
    );
    expect((await call(b, "GET", "/users/me", { token: user.accessToken })).status).toBe(401);
  });

  it("refuses on B every session of an account deleted on A", async () => {
    const user = await signup();
    const other = await login(user.email);
    await servedFromCache(user.accessToken);
    await servedFromCache(other.accessToken);
    const heard = heardOnB(userIdOf(user.accessToken));
    expect((await call(a, "DELETE", "/users/me", { token: user.accessToken })).status).toBe(204);
    await heard;
    expect((await call(b, "GET", "/tasks", { token: user.accessToken })).status).toBe(401);
    expect((await call(b, "GET", "/tasks", { token: other.accessToken })).status).toBe(401);
  });

  it("refuses at once on the instance that ended the session, without waiting for the notification", async () => {
    const user = await signup();
    expect((await call(a, "GET", "/users/me", { token: user.accessToken })).status).toBe(200);
    expect(
      (await call(a, "POST", "/auth/logout", { json: { refreshToken: user.refreshToken } })).status,
    ).toBe(204);
    expect((await call(a, "GET", "/users/me", { token: user.accessToken })).status).toBe(401);
  });

  it.skipIf(!testDatabaseUrl())(
    "looks every request up on B while B's listener is disconnected, and caches again once it is back (PostgreSQL)",
    async () => {
      const user = await signup();
      await servedFromCache(user.accessToken);
      const lost = new Promise<void>((resolve) => {
        const stop = dbB.listener.onConnectionChange((connected) => {
          if (connected) return;
          stop();
          resolve();
        });
      });
      const back = new Promise<void>((resolve) => {
        const stop = dbB.listener.onConnectionChange((connected) => {
          if (!connected) return;
          stop();
          resolve();
        });
      });
      // Ends the listening connections (A's and B's) from the server side; each reconnects.
      await shared.sql(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'todo-listener' AND datname = current_database()`,
      );
      await lost;
      // Whether or not it is back yet, nothing remembered from before the loss is trusted.
      const before = lookups;
      expect((await call(b, "GET", "/users/me", { token: user.accessToken })).status).toBe(200);
      expect(lookups - before).toBe(1);
      await back;
      await b.services.sessions.ready();
      await servedFromCache(user.accessToken);
    },
  );
});
