import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "./http-server.js";
import { Metrics } from "./metrics.js";
import { openEvents, send, signup, startTestApi, type TestApi } from "./testing/index.js";

let api: TestApi;
let metricsServer: Server;
let metricsUrl: string;
beforeAll(async () => {
  const metrics = new Metrics();
  api = await startTestApi(
    { RATE_LIMIT_ENABLED: "true", RATE_LIMIT_AUTH_POINTS: "2" },
    { metrics },
  );
  metrics.observePool(api.db);
  metrics.observeEventStreams(api.services.live);
  metricsServer = metrics.server();
  const { port } = await listen(metricsServer, 0, "127.0.0.1");
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
});
afterAll(async () => {
  metricsServer.close();
  await api.close();
});

const request = (method: string, path: string, init?: Parameters<typeof send>[3]) =>
  send(api.url, method, path, init);

async function scrape(): Promise<string> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe("metrics on their own port", () => {
  it("counts and times requests by route template and status, with nothing secret in labels", async () => {
    const user = await signup(api.url);
    const created = await request("POST", "/api/v1/tasks", {
      token: user.token,
      json: { title: "Counted" },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: number }).id;
    expect((await request("GET", `/api/v1/tasks/${id}`, { token: user.token })).status).toBe(200);
    expect((await request("GET", "/api/v1/tasks/999999", { token: user.token })).status).toBe(404);
    expect((await request("GET", `/no/such/${user.email}`)).status).toBe(404);

    const text = await scrape();
    expect(text).toContain(
      'http_requests_total{method="POST",route="/api/v1/tasks",status="201"} 1',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="/api/v1/tasks/:id",status="200"} 1',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="/api/v1/tasks/:id",status="404"} 1',
    );
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/v1\/tasks\/:id",status="200"\} [01]/,
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="POST",route="/api/v1/tasks",status="201"} 1',
    );
    expect(text).toContain("event_stream_clients 0");
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    // No id, email or token anywhere.
    for (const secret of [user.id, user.email, user.token, "999999", `/tasks/${id}"`])
      expect(text).not.toContain(secret);
  });

  it("counts the event streams open on the instance", async () => {
    const user = await signup(api.url);
    const stream = await openEvents(api.url, user.token);
    expect(stream.status).toBe(200);
    // Once an event has come, the stream is surely counted.
    await request("POST", "/api/v1/tasks", { token: user.token, json: { title: "Streamed" } });
    await stream.next();
    expect(await scrape()).toContain("event_stream_clients 1");
    stream.close();
    await stream.ended;
  });

  it("counts rate-limit rejections by limit", async () => {
    const login = () =>
      request("POST", "/api/v1/auth/login", {
        json: { email: "limited@example.com", password: "correct horse battery" },
      });
    const statuses = [(await login()).status, (await login()).status, (await login()).status];
    expect(statuses).toContain(429);
    const text = await scrape();
    expect(text).toMatch(/rate_limit_rejections_total\{limit="auth-ip"\} [1-9]/);
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/api\/v1\/auth\/login",status="429"\} [1-9]/,
    );
  });

  it("reports the database pool: in use, idle and waiting", async () => {
    const text = await scrape();
    for (const state of ["in_use", "idle", "waiting"])
      expect(text).toMatch(new RegExp(`db_pool_connections\\{state="${state}"\\} \\d+`));
  });

  it("serves nothing but GET /metrics there, and no /metrics on the public port", async () => {
    expect((await fetch(metricsUrl.replace("/metrics", "/"))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
  });
});
