import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { testDatabaseUrl } from "@todo/config";
import { createServices } from "@todo/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { createLogger } from "../logger.js";
import { startTestApi, type TestApi } from "../testing/index.js";

const PASSWORD = "correct horse battery";
const LIMITED = {
  RATE_LIMIT_ENABLED: "true",
  TRUST_PROXY: "true",
  RATE_LIMIT_AUTH_POINTS: "3",
  RATE_LIMIT_AUTH_DURATION: "60s",
};

const started: TestApi[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((api) => api.close()));
});

async function start(env: Record<string, string>): Promise<TestApi> {
  const api = await startTestApi(env);
  started.push(api);
  return api;
}

/** POSTs JSON from the client IP `ip` (sent as X-Forwarded-For; the app trusts the proxy). */
function postFrom(api: TestApi, ip: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${api.url}/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify(body),
  });
}

async function expectRateLimited(response: Response, window: number): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(window);
  expect(((await response.json()) as { code: string }).code).toBe("rate_limited");
}

describe("login and signup limits", () => {
  // One app for these tests; each uses its own IPs and emails, so their counts never meet.
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(LIMITED);
  });
  afterAll(() => api.close());

  it("limits login attempts per IP, failed ones included: the 4th of 3 gets 429 with Retry-After", async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await postFrom(api, "203.0.113.1", "/auth/login", {
        email: `nobody${attempt}@example.com`,
        password: PASSWORD,
      });
      expect(response.status).toBe(401);
    }
    await expectRateLimited(
      await postFrom(api, "203.0.113.1", "/auth/login", {
        email: "other@example.com",
        password: PASSWORD,
      }),
      60,
    );
    // The limit guards exactly what the route answers: other spellings of its path are limited too.
    for (const path of ["/auth/login/", "/AUTH/Login"]) {
      await expectRateLimited(
        await postFrom(api, "203.0.113.1", path, {
          email: "other@example.com",
          password: PASSWORD,
        }),
        60,
      );
    }
    // Another IP is not affected.
    expect(
      (
        await postFrom(api, "203.0.113.2", "/auth/login", {
          email: "other@example.com",
          password: PASSWORD,
        })
      ).status,
    ).toBe(401);
  });

  it("limits login attempts per email across IPs, whatever its case and spacing", async () => {
    const spellings = ["victim@example.com", "VICTIM@example.com", "  victim@Example.com "];
    for (const [index, email] of spellings.entries()) {
      expect(
        (
          await postFrom(api, `198.51.100.${index + 1}`, "/auth/login", {
            email,
            password: PASSWORD,
          })
        ).status,
      ).toBe(401);
    }
    await expectRateLimited(
      await postFrom(api, "198.51.100.9", "/auth/login", {
        email: "victim@example.com",
        password: PASSWORD,
      }),
      60,
    );
  });

  it("counts signups per IP", async () => {
    for (let index = 0; index < 3; index++) {
      expect(
        (
          await postFrom(api, "192.0.2.7", "/auth/signup", {
            email: `new${index}@example.com`,
            password: PASSWORD,
          })
        ).status,
      ).toBe(201);
    }
    await expectRateLimited(
      await postFrom(api, "192.0.2.7", "/auth/signup", {
        email: "new9@example.com",
        password: PASSWORD,
      }),
      60,
    );
  });

  it("clears an email's count on a successful login, so its owner is not locked out", async () => {
    expect(
      (
        await postFrom(api, "192.0.2.101", "/auth/signup", {
          email: "owner@example.com",
          password: PASSWORD,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await postFrom(api, "192.0.2.102", "/auth/login", {
          email: "owner@example.com",
          password: "wrong password",
        })
      ).status,
    ).toBe(401);
    // Signup and a wrong password spent two of the email's three points; a successful login clears them …
    expect(
      (
        await postFrom(api, "192.0.2.103", "/auth/login", {
          email: "owner@example.com",
          password: PASSWORD,
        })
      ).status,
    ).toBe(200);
    // … so three wrong passwords from fresh IPs are answered normally, and only the fourth is limited.
    for (const ip of ["192.0.2.104", "192.0.2.105", "192.0.2.106"]) {
      expect(
        (
          await postFrom(api, ip, "/auth/login", {
            email: "owner@example.com",
            password: "wrong password",
          })
        ).status,
      ).toBe(401);
    }
    await expectRateLimited(
      await postFrom(api, "192.0.2.107", "/auth/login", {
        email: "owner@example.com",
        password: PASSWORD,
      }),
      60,
    );
  });
});

describe("defaults: per-user limits, no proxy trusted", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      RATE_LIMIT_ENABLED: "true",
      RATE_LIMIT_USER_POINTS: "5",
      RATE_LIMIT_USER_DURATION: "30s",
    });
  });
  afterAll(() => api.close());

  it("ignores X-Forwarded-For unless TRUST_PROXY is set, so a client cannot rotate its way past the IP limit", async () => {
    expect(api.config.rateLimit.authPoints).toBe(10);
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await postFrom(api, `10.0.0.${attempt}`, "/auth/login", {
        email: `spoof${attempt}@example.com`,
        password: PASSWORD,
      });
      expect(response.status).toBe(401);
    }
    await expectRateLimited(
      await postFrom(api, "10.0.0.99", "/auth/login", {
        email: "spoof99@example.com",
        password: PASSWORD,
      }),
      60,
    );
  });

  it("limits every authenticated route per user with 429 + Retry-After; other users are unaffected", async () => {
    // Its own instance: the test above spent this IP's login and signup allowance.
    const api = await start({
      RATE_LIMIT_ENABLED: "true",
      RATE_LIMIT_USER_POINTS: "5",
      RATE_LIMIT_USER_DURATION: "30s",
    });
    const token = async (email: string) => {
      const response = await postFrom(api, "127.0.0.1", "/auth/signup", {
        email,
        password: PASSWORD,
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    const ada = await token("ada@example.com");
    const bob = await token("bob@example.com");
    const get = (path: string, bearer: string) =>
      fetch(`${api.url}/api/v1${path}`, { headers: { authorization: `Bearer ${bearer}` } });
    const statuses = [];
    for (const path of ["/tasks", "/users/me", "/tasks", "/tasks/1", "/users/me"])
      statuses.push((await get(path, ada)).status);
    expect(statuses).toEqual([200, 200, 200, 404, 200]);
    await expectRateLimited(await get("/tasks", ada), 30);
    expect((await get("/tasks", bob)).status).toBe(200);
  });
});

describe.skipIf(!testDatabaseUrl())("PostgreSQL store (RATE_LIMIT_STORE=postgres)", () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) server.closeAllConnections();
  });

  it("shares the counts between two API instances over one database", async () => {
    const env = { ...LIMITED, RATE_LIMIT_STORE: "postgres" };
    const first = await start(env);
    // A second instance: its own app and services (its own limiters), the same database.
    const second = createApp({
      config: first.config,
      db: first.db,
      services: createServices(first.db, first.config),
      logger: createLogger(first.config),
    });
    const server: Server = await new Promise((resolve) => {
      const listening = second.listen(0, "127.0.0.1", () => resolve(listening));
    });
    servers.push(server);
    const secondUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const login = (url: string) =>
      fetch(`${url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.50" },
        body: JSON.stringify({ email: "shared@example.com", password: PASSWORD }),
      });

    expect((await login(first.url)).status).toBe(401);
    expect((await login(secondUrl)).status).toBe(401);
    expect((await login(first.url)).status).toBe(401);
    await expectRateLimited(await login(secondUrl), 60);
    await expectRateLimited(await login(first.url), 60);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
