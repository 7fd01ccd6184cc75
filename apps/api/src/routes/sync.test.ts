// GET /sync and GET /events over real HTTP: full and delta sync, tombstones, paging, expired
// tokens, and the event stream (order, resume, heartbeat, revocation, other users). Nothing waits
// on the clock: each step waits for the event or the end it expects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openEvents,
  startHarness,
  type Harness,
  type TestEventStream,
  type TestUser,
} from "../testing/index.js";

let h: Harness;
const streams: TestEventStream[] = [];

beforeAll(async () => {
  h = await startHarness({ EVENTS_HEARTBEAT: "100ms", CORS_ORIGINS: "https://app.example" });
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await h.close();
});

const sync = (user: TestUser, query = "") =>
  h.request("GET", `/api/v1/sync${query}`, { token: user.token });

async function events(user: TestUser, headers: Record<string, string> = {}) {
  const stream = await openEvents(h.api.url, user.token, headers);
  streams.push(stream);
  return stream;
}

describe("GET /sync", () => {
  it("answers the full state, then what changed after the token with tombstones, then nothing", async () => {
    const alice = await h.user();
    const project = await h.request("POST", "/api/v1/projects", {
      token: alice.token,
      json: { name: "Home" },
    });
    const kept = await h.task(alice, { title: "kept", projectId: project.body.id });
    const gone = await h.task(alice, { title: "gone" });

    const full = await sync(alice);
    expect(full.status).toBe(200);
    expect(full.body).toEqual({
      tasks: [kept, gone],
      projects: [{ ...project.body, openTasks: 1 }],
      token: "3",
      more: false,
    });

    await h.request("DELETE", `/api/v1/tasks/${gone.id}`, { token: alice.token });
    const renamed = await h.request("PATCH", `/api/v1/tasks/${kept.id}`, {
      token: alice.token,
      json: { title: "renamed" },
    });
    const delta = await sync(alice, `?since=${full.body.token}`);
    expect(delta.body).toEqual({
      tasks: [{ id: gone.id, deleted: true }, renamed.body],
      projects: [],
      token: "5",
      more: false,
    });
    expect((await sync(alice, "?since=5")).body).toEqual({
      tasks: [],
      projects: [],
      token: "5",
      more: false,
    });
  });

  it("pages with `more` and the token of the next page", async () => {
    const alice = await h.user();
    for (let i = 0; i < 3; i++) await h.task(alice);
    const first = await sync(alice, "?limit=2");
    expect(first.body).toMatchObject({ token: "3:2", more: true });
    const second = await sync(alice, `?since=${first.body.token}&limit=2`);
    expect(second.body).toMatchObject({ token: "3", more: false });
    expect([...first.body.tasks, ...second.body.tasks].map((task: any) => task.id)).toEqual([
      1, 2, 3,
    ]);
  });

  it("answers 410 sync_token_expired for a token it cannot serve, 422 for one it never issued, 401 without a token", async () => {
    const alice = await h.user();
    const expired = await sync(alice, "?since=99");
    expect(expired.status).toBe(410);
    expect(expired.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(expired.body.code).toBe("sync_token_expired");
    for (const since of ["abc", "-1", "1:2:3", "1e3"]) {
      const bad = await sync(alice, `?since=${since}`);
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe("validation_failed");
    }
    expect((await h.request("GET", "/api/v1/sync")).status).toBe(401);
  });
});

describe("GET /events", () => {
  it("streams the caller's changes, each with its sync token as id and the resource as data", async () => {
    const [alice, bob] = await Promise.all([h.user(), h.user()]);
    const stream = await events(alice);
    expect(stream.status).toBe(200);
    expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);

    await h.task(bob, { title: "bob's" });
    const task = await h.task(alice, { title: "alice's" });
    const created = await stream.next();
    expect(created).toMatchObject({ event: "task.created", id: "1" });
    expect(JSON.parse(created.data)).toEqual(task);

    await h.request("DELETE", `/api/v1/tasks/${task.id}`, { token: alice.token });
    expect(await stream.next()).toMatchObject({
      event: "task.deleted",
      id: "2",
      data: JSON.stringify({ id: task.id, deleted: true }),
    });
    const sent = await sync(alice, "?since=2");
    expect(sent.body.tasks).toEqual([]);
  });

  it("resumes after Last-Event-ID with no gap and no duplicate", async () => {
    const alice = await h.user();
    const first = await events(alice);
    const one = await h.task(alice);
    expect((await first.next()).id).toBe("1");
    first.close();
    await first.ended;

    await h.request("PATCH", `/api/v1/tasks/${one.id}`, {
      token: alice.token,
      json: { title: "while away" },
    });
    await h.task(alice);
    const resumed = await events(alice, { "Last-Event-ID": "1" });
    expect(await resumed.next()).toMatchObject({ id: "2", event: "task.updated" });
    expect(await resumed.next()).toMatchObject({ id: "3", event: "task.created" });
    await h.task(alice);
    expect(await resumed.next()).toMatchObject({ id: "4", event: "task.created" });
  });

  it("refuses a Last-Event-ID it cannot serve (410) before streaming", async () => {
    const alice = await h.user();
    const refused = await events(alice, { "Last-Event-ID": "7" });
    expect(refused.status).toBe(410);
    expect(refused.problem.code).toBe("sync_token_expired");
    const unauthenticated = await openEvents(h.api.url, "not-a-token");
    expect(unauthenticated.status).toBe(401);
  });

  it("sends a heartbeat comment while idle", async () => {
    const alice = await h.user();
    const stream = await events(alice);
    expect(typeof (await stream.comment())).toBe("string");
  });

  it("ends with stream.ended {reason: revoked} when its session is logged out", async () => {
    const alice = await h.user();
    const stream = await events(alice);
    await h.task(alice);
    expect((await stream.next()).id).toBe("1");
    const logout = await h.request("POST", "/api/v1/auth/logout", {
      json: { refreshToken: alice.refreshToken },
    });
    expect(logout.status).toBe(204);
    expect(await stream.next()).toMatchObject({
      event: "stream.ended",
      data: JSON.stringify({ reason: "revoked" }),
    });
    await stream.ended;
  });

  it("answers CORS for the configured origins", async () => {
    const alice = await h.user();
    const stream = await events(alice, { origin: "https://app.example" });
    expect(stream.headers["access-control-allow-origin"]).toBe("https://app.example");
    const preflight = await h.request("OPTIONS", "/api/v1/events", {
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization, last-event-id",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Last-Event-ID/);
  });
});
