// The Redis rate-limit store against the real Redis at 127.0.0.1:6379 (each test under its own key
// prefix), and against Redis that is down: a closed port, and a private redis-server killed
// under a running API. The shared Redis is never stopped.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { createRedisClient } from "@todo/core";
import { afterEach, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../testing/index.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const LIMITED = {
  RATE_LIMIT_ENABLED: "true",
  TRUST_PROXY: "true",
  RATE_LIMIT_AUTH_POINTS: "3",
  RATE_LIMIT_AUTH_DURATION: "60s",
  RATE_LIMIT_STORE: "redis",
};

const started: TestApi[] = [];
const servers: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((api) => api.close()));
  for (const server of servers.splice(0)) server.kill("SIGKILL");
});

async function start(redisUrl: string, redisKeyPrefix?: string): Promise<TestApi> {
  const api = await startTestApi({ ...LIMITED, REDIS_URL: redisUrl }, { redisKeyPrefix });
  started.push(api);
  return api;
}

function login(api: TestApi, ip: string, email = `${randomUUID()}@example.com`): Promise<Response> {
  return fetch(`${api.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email, password: "correct horse battery" }),
  });
}

/** A TCP port nothing listens on (taken and released by the OS). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Statuses of `count` login attempts from `ip`, one after another. */
async function statuses(api: TestApi, ip: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let attempt = 0; attempt < count; attempt++) seen.push((await login(api, ip)).status);
  return seen;
}

describe("Redis store (RATE_LIMIT_STORE=redis)", () => {
  it("shares the login limit between two API instances, with counters in Redis under the prefix", async () => {
    const prefix = `todo-test:${randomUUID()}:`;
    const first = await start(REDIS_URL, prefix);
    const second = await start(REDIS_URL, prefix);
    expect((await login(first, "203.0.113.7")).status).toBe(401);
    expect((await login(second, "203.0.113.7")).status).toBe(401);
    expect((await login(first, "203.0.113.7")).status).toBe(401);
    const limited = await login(second, "203.0.113.7");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await login(first, "203.0.113.7")).status).toBe(429);

    const redis = createRedisClient(REDIS_URL);
    try {
      await once(redis, "ready");
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).toContain(`${prefix}auth-ip:203.0.113.7`);
      expect(Number(await redis.get(`${prefix}auth-ip:203.0.113.7`))).toBe(5);
      const ttl = await redis.pttl(`${prefix}auth-ip:203.0.113.7`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it("counts in memory, never failing a request, while Redis cannot be reached", async () => {
    const api = await start(`redis://127.0.0.1:${await freePort()}`);
    expect(await statuses(api, "203.0.113.8", 5)).toEqual([401, 401, 401, 429, 429]);
    expect((await login(api, "203.0.113.9")).status).toBe(401);
  });

  it("goes on answering when its Redis dies under it, limits held by the insurance limiter", async () => {
    const port = await freePort();
    const redis = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    servers.push(redis);
    // Ready once a client connects (it retries; no deadline but the test runner's).
    const probe = createRedisClient(`redis://127.0.0.1:${port}`, { onError: () => undefined });
    await new Promise((resolve) => probe.once("ready", resolve));
    probe.disconnect();

    const api = await start(`redis://127.0.0.1:${port}`);
    expect(await statuses(api, "203.0.113.10", 2)).toEqual([401, 401]);
    redis.kill("SIGKILL");
    await once(redis, "exit");
    // No request fails: the in-memory insurance limiter counts (from its own count: how many of
    // the attempts around the outage it saw is the library's affair) and refuses within a window.
    const during = await statuses(api, "203.0.113.10", 4);
    expect(during[0]).toBe(401);
    expect(during.every((status) => status === 401 || status === 429)).toBe(true);
    expect(during.at(-1)).toBe(429);
    expect((await login(api, "203.0.113.11")).status).toBe(401);
  });
});
