import { Writable } from "node:stream";
import { testConfig } from "@todo/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import { signup, startTestApi, type TestApi } from "../testing/index.js";

const APP_ORIGIN = "https://app.example.com";
const PASSWORD = "a very secret passphrase 42";

/** Every line the app logged, kept in memory. */
const logged: string[] = [];
let api: TestApi;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  api = await startTestApi(
    { CORS_ORIGINS: `${APP_ORIGIN}, https://admin.example.com` },
    { logger: createLogger(testConfig({ LOG_LEVEL: "info" }), sink) },
  );
});
afterAll(() => api.close());

describe("CORS", () => {
  it("answers a preflight from an allowed origin with the allowed methods and headers, without credentials", async () => {
    const response = await fetch(`${api.url}/api/v1/tasks`, {
      method: "OPTIONS",
      headers: {
        origin: APP_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers":
          "authorization, content-type, idempotency-key, if-match, x-request-id",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    const allowed =
      response.headers.get("access-control-allow-headers")?.toLowerCase().split(",") ?? [];
    for (const header of [
      "authorization",
      "content-type",
      "if-match",
      "idempotency-key",
      "x-request-id",
    ])
      expect(allowed).toContain(header);
    expect(response.headers.get("access-control-allow-methods")).toContain("PATCH");
  });

  it("lets a browser script of an allowed origin read ETag, Location, Retry-After and X-Request-Id", async () => {
    const response = await fetch(`${api.url}/health`, { headers: { origin: APP_ORIGIN } });
    expect(response.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(response.headers.get("vary")).toMatch(/origin/i);
    const exposed =
      response.headers.get("access-control-expose-headers")?.toLowerCase().split(",") ?? [];
    for (const header of ["etag", "location", "retry-after", "x-request-id"])
      expect(exposed).toContain(header);
  });

  it("gives error responses the same CORS headers, so the script can read the problem", async () => {
    const response = await fetch(`${api.url}/api/v1/tasks`, { headers: { origin: APP_ORIGIN } });
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
  });

  it("gives another origin no CORS headers at all", async () => {
    const response = await fetch(`${api.url}/health`, {
      headers: { origin: "https://evil.example.com" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${api.url}/api/v1/tasks`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "DELETE" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("security headers", () => {
  it("locks JSON responses down: CSP default-src 'none', nosniff, no referrer, HSTS, no X-Powered-By", async () => {
    for (const path of ["/health", "/api/v1/tasks", "/api/v1/nowhere"]) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.headers.get("content-security-policy")).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
      expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(response.headers.get("x-powered-by")).toBeNull();
    }
  });

  it("lets the docs page load its own scripts and styles, and nothing from elsewhere", async () => {
    const response = await fetch(`${api.url}/docs`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(\*|https:|'unsafe-inline'|'unsafe-eval')/);
    expect(csp).not.toMatch(/(https:|\*)/);
    expect(csp).not.toContain("upgrade-insecure-requests");
  });
});

describe("request ids", () => {
  it("echoes a safe X-Request-Id and replaces an unsafe one", async () => {
    const mine = await fetch(`${api.url}/health`, { headers: { "x-request-id": "trace-123.abc" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-123.abc");
    const unsafe = await fetch(`${api.url}/health`, { headers: { "x-request-id": "<script>" } });
    expect(unsafe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("request log", () => {
  it("writes one JSON line per request and never a password or token", async () => {
    const json = { "content-type": "application/json" };
    const user = await signup(api.url, { email: "logged@example.com", password: PASSWORD });
    const session = { ...user, accessToken: user.token, user: { id: user.id } };
    const bearer = { authorization: `Bearer ${session.accessToken}` };
    await fetch(`${api.url}/api/v1/auth/login`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "logged@example.com", password: PASSWORD }),
    });
    await fetch(`${api.url}/api/v1/auth/login`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "logged@example.com", password: `${PASSWORD}x` }),
    });
    await fetch(`${api.url}/api/v1/users/me/password`, {
      method: "POST",
      headers: { ...json, ...bearer },
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: `${PASSWORD} new` }),
    });
    await fetch(`${api.url}/api/v1/tasks?access_token=${session.accessToken}`, {
      headers: { ...bearer, "x-request-id": "log-test-1" },
    });
    const refreshed = await fetch(`${api.url}/api/v1/auth/refresh`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    const next = (await refreshed.json()) as { accessToken: string; refreshToken: string };

    const text = logged.join("\n");
    for (const secret of [
      PASSWORD,
      session.accessToken,
      session.refreshToken,
      next.accessToken,
      next.refreshToken,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/Bearer /i);
    const line = logged
      .map((entry) => JSON.parse(entry) as Record<string, unknown>)
      .find((entry) => entry.requestId === "log-test-1");
    expect(line).toMatchObject({ method: "GET", path: "/api/v1/tasks", userId: session.user.id });
    expect(typeof line?.status).toBe("number");
  });
});
