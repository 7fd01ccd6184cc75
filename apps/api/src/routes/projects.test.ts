// Projects over real HTTP (DESIGN §7): the resource and its headers, names, archive, delete and
// restore with their tasks in one transaction, the task project filter, and ownership on every
// project route and on task writes that name a project.
import type { ObservedStatement } from "@todo/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, withoutRequestId, type Harness, type TestUser } from "../testing/index.js";

const statements: ObservedStatement[] = [];
let h: Harness;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  h = await startHarness({}, { onStatement: (statement) => statements.push(statement) });
  alice = await h.user();
  bob = await h.user();
});
afterAll(() => h.close());

const PROJECTS = "/api/v1/projects";

async function project(user: TestUser, name: string): Promise<{ id: number; version: number }> {
  const reply = await h.request("POST", PROJECTS, { token: user.token, json: { name } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

describe("projects", () => {
  it("creates a project: 201 with Location, ETag, the resource; Idempotency-Key replays it", async () => {
    const carol = await h.user();
    const headers = { "idempotency-key": "create-home" };
    const created = await h.request("POST", PROJECTS, {
      token: carol.token,
      json: { name: "  Home  " },
      headers,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`${PROJECTS}/1`);
    expect(created.headers.get("etag")).toBe('"1"');
    expect(created.body).toEqual({
      id: 1,
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "Home",
      archived: false,
      openTasks: 0,
      version: 1,
      createdBy: carol.id,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const replay = await h.request("POST", PROJECTS, {
      token: carol.token,
      json: { name: "  Home  " },
      headers,
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(created.body);
    expect((await h.request("GET", PROJECTS, { token: carol.token })).body.data).toHaveLength(1);
  });

  it("refuses bad names (422 naming the field), unknown fields, and a taken name (409 project_name_taken)", async () => {
    const carol = await h.user();
    for (const json of [
      { name: "   " },
      { name: "x".repeat(101) },
      { name: "nul\u0000" },
      {},
      { name: "ok", archived: true },
    ]) {
      const reply = await h.request("POST", PROJECTS, { token: carol.token, json });
      expect(reply.status, JSON.stringify(json)).toBe(422);
      expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(reply.body.code).toBe("validation_failed");
    }
    await project(carol, "Work");
    const taken = await h.request("POST", PROJECTS, { token: carol.token, json: { name: "WORK" } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({
      code: "project_name_taken",
      type: "https://todo.dev/problems/project-name-taken",
    });
    expect(taken.body.detail).toContain('"WORK"');
  });

  it("renames with If-Match (412 with the current ETag when stale), answers 304 to If-None-Match", async () => {
    const { id } = await project(alice, "Garden");
    const path = `${PROJECTS}/${id}`;
    const stale = await h.request("PATCH", path, {
      token: alice.token,
      json: { name: "Yard" },
      headers: { "if-match": '"5"' },
    });
    expect([stale.status, stale.headers.get("etag")]).toEqual([412, '"1"']);
    const renamed = await h.request("PATCH", path, {
      token: alice.token,
      json: { name: "Yard" },
      headers: { "if-match": '"1"' },
    });
    expect([renamed.status, renamed.body.name, renamed.headers.get("etag")]).toEqual([
      200,
      "Yard",
      '"2"',
    ]);
    const cached = await h.request("GET", path, {
      token: alice.token,
      headers: { "if-none-match": '"2"' },
    });
    expect(cached.status).toBe(304);
  });

  it("gives concurrent creates distinct sequential ids", async () => {
    const dave = await h.user();
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.request("POST", PROJECTS, { token: dave.token, json: { name: `p${i}` } }),
      ),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(201));
    expect(replies.map((reply) => reply.body.id as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it("archives and unarchives: archived projects and their tasks leave the lists unless named", async () => {
    const erin = await h.user();
    const someday = await project(erin, "Someday");
    const home = await project(erin, "home");
    await h.task(erin, { title: "cello", projectId: someday.id });
    await h.task(erin, { title: "dishes", projectId: home.id });
    await h.task(erin, { title: "rent" });
    const titles = async (query = "") =>
      (
        await h.request("GET", `/api/v1/tasks?sort=title${query}`, { token: erin.token })
      ).body.data.map((task: { title: string }) => task.title);
    const names = async (query = "") =>
      (await h.request("GET", `${PROJECTS}${query}`, { token: erin.token })).body.data.map(
        (p: { name: string }) => p.name,
      );
    expect(await names()).toEqual(["home", "Someday"]);

    const archived = await h.request("POST", `${PROJECTS}/${someday.id}/archive`, {
      token: erin.token,
    });
    expect([archived.status, archived.body.archived, archived.headers.get("etag")]).toEqual([
      200,
      true,
      '"2"',
    ]);
    expect(await names()).toEqual(["home"]);
    expect(await names("?archived=true")).toEqual(["Someday"]);
    expect(await names("?archived=all")).toEqual(["home", "Someday"]);
    expect(await titles()).toEqual(["dishes", "rent"]);
    expect(await titles(`&project=${someday.id}`)).toEqual(["cello"]);
    expect(await titles("&project=none")).toEqual(["rent"]);

    const unarchived = await h.request("POST", `${PROJECTS}/${someday.id}/unarchive`, {
      token: erin.token,
    });
    expect(unarchived.body.archived).toBe(false);
    expect(await titles()).toEqual(["cello", "dishes", "rent"]);
  });

  it("combines the project filter with the other filters, sorts and both paging modes", async () => {
    const fay = await h.user();
    const work = await project(fay, "Work");
    for (let i = 1; i <= 7; i++) {
      await h.task(fay, {
        title: `w${i}`,
        projectId: work.id,
        priority: i % 2 ? "high" : "low",
        tags: ["t"],
      });
      await h.task(fay, { title: `x${i}`, priority: "high", tags: ["t"] });
    }
    const base = `/api/v1/tasks?project=${work.id}&priority=high&tag=t&status=pending&sort=title&limit=2`;
    const first = await h.request("GET", `${base}&page=1`, { token: fay.token });
    expect(first.body.meta).toMatchObject({ total: 4, totalPages: 2 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { title: string }[]; meta: { nextCursor: string | null } } } =
        await h.request("GET", `${base}${cursor ? `&cursor=${cursor}` : ""}`, {
          token: fay.token,
        });
      seen.push(...page.body.data.map((task) => task.title));
      cursor = page.body.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["w1", "w3", "w5", "w7"]);
    for (const bad of ["0", "abc", "1.5", "-1", "nonee"]) {
      const reply = await h.request("GET", `/api/v1/tasks?project=${bad}`, { token: fay.token });
      expect(reply.status, bad).toBe(422);
      expect(reply.body.errors[0].path).toBe("project");
    }
    // Another user's project number just lists nothing of theirs.
    expect(
      (await h.request("GET", `/api/v1/tasks?project=${work.id}`, { token: bob.token })).body.data,
    ).toEqual([]);
  });

  it("deletes a project with its 1,000 tasks and restores exactly those, each in one transaction", async () => {
    const gus = await h.user();
    const big = await project(gus, "Big");
    const loose = await h.task(gus, { title: "not in it" });
    await h.api.db.sql(
      `INSERT INTO tasks (user_id, id, title, project_id, created_by)
       SELECT $1, g, 'task ' || g, $2, $1 FROM generate_series(2, 1001) AS g`,
      [gus.id, big.id],
    );
    await h.api.db.sql("UPDATE users SET task_seq = 1001 WHERE id = $1", [gus.id]);
    // One already in the trash stays there after the restore.
    expect((await h.request("DELETE", "/api/v1/tasks/1001", { token: gus.token })).status).toBe(
      204,
    );

    // On PostgreSQL, a reader on another connection that, in one snapshot per statement, sees
    // whether the project is live and how many of its tasks are: never a project deleted with live
    // tasks, nor live without them. (PGlite has one connection: nothing reads beside a transaction.)
    const states = new Set<string>();
    let reading = h.api.db.dialect === "postgres";
    const reader = (async () => {
      while (reading) {
        const [row] = await h.api.db.sql<{ live: boolean; tasks: number }>(
          `SELECT (SELECT deleted_at IS NULL FROM projects WHERE user_id = $1 AND id = $2) AS live,
                  (SELECT count(*)::int FROM tasks WHERE user_id = $1 AND project_id = $2 AND deleted_at IS NULL) AS tasks`,
          [gus.id, big.id],
        );
        states.add(`${row!.live}:${row!.tasks}`);
      }
    })();

    const observed = (from: number) =>
      statements
        .slice(from)
        .map((statement) => statement.sql.trim().split(/\s+/).slice(0, 3).join(" "));
    let mark = statements.length;
    const removed = await h.request("DELETE", `${PROJECTS}/${big.id}`, { token: gus.token });
    expect(removed.status).toBe(204);
    const deleting = observed(mark);
    mark = statements.length;
    const restored = await h.request("POST", `${PROJECTS}/${big.id}/restore`, { token: gus.token });
    const restoring = observed(mark);
    reading = false;
    await reader;

    expect(restored.status).toBe(200);
    expect(restored.body.openTasks).toBe(999);
    expect([...states].every((state) => ["true:999", "false:0"].includes(state))).toBe(true);
    // Each is one BEGIN … COMMIT holding the project's and the tasks' UPDATE (one statement each).
    for (const [name, sent] of [
      ["delete", deleting],
      ["restore", restoring],
    ] as const) {
      const inside = sent.slice(sent.findIndex((s) => /^BEGIN/i.test(s)));
      const end = inside.findIndex((s) => /^COMMIT/i.test(s));
      expect(end, `${name}: ${sent.join(" | ")}`).toBeGreaterThan(0);
      const body = inside.slice(0, end);
      expect(
        body.filter((s) => /^UPDATE projects/i.test(s)),
        name,
      ).toHaveLength(1);
      expect(
        body.filter((s) => /^UPDATE tasks/i.test(s)),
        name,
      ).toHaveLength(1);
      expect(
        sent.filter((s) => /^UPDATE/i.test(s)),
        name,
      ).toHaveLength(2);
    }
    expect((await h.request("GET", "/api/v1/tasks/1001", { token: gus.token })).status).toBe(404);
    expect((await h.request("GET", "/api/v1/tasks/1000", { token: gus.token })).status).toBe(200);
    expect(
      (await h.request("GET", `/api/v1/tasks/${loose.id}`, { token: gus.token })).body.deletedAt,
    ).toBeNull();
  });
});

describe("ownership", () => {
  /** Every project route that names one project, with a body where it takes one. */
  const ENDPOINTS: [method: string, suffix: string, json?: unknown][] = [
    ["GET", ""],
    ["PATCH", "", { name: "hijacked" }],
    ["DELETE", ""],
    ["POST", "/archive"],
    ["POST", "/unarchive"],
    ["POST", "/restore"],
  ];

  it("answers another user's project exactly like a missing one (404, same body) on every route, with and without If-Match, and changes nothing", async () => {
    const owner = await h.user();
    const intruder = await h.user();
    await project(owner, "Private");
    const deleted = await project(owner, "Deleted");
    await h.request("DELETE", `${PROJECTS}/${deleted.id}`, { token: owner.token });
    await h.task(owner, { title: "secret", projectId: 1 });
    const before = await h.api.db.sql("SELECT * FROM projects WHERE user_id = $1 ORDER BY id", [
      owner.id,
    ]);
    const tasksBefore = await h.api.db.tasks.ofOwner(owner.id);

    for (const [method, suffix, json] of ENDPOINTS) {
      for (const headers of [{}, { "if-match": '"1"' }, { "if-match": '"9"' }] as Record<
        string,
        string
      >[]) {
        const missing = await h.request(method, `${PROJECTS}/9999${suffix}`, {
          token: intruder.token,
          json,
          headers,
        });
        for (const id of [1, 2]) {
          const label = `${method} /projects/${id}${suffix} ${JSON.stringify(headers)}`;
          const foreign = await h.request(method, `${PROJECTS}/${id}${suffix}`, {
            token: intruder.token,
            json,
            headers,
          });
          expect([foreign.status, missing.status], label).toEqual([404, 404]);
          expect(foreign.headers.get("etag"), label).toBeNull();
          const normalise = (body: unknown) =>
            JSON.stringify(withoutRequestId(body)).replaceAll(/\b(9999|1|2)\b/g, "N");
          expect(normalise(foreign.body), label).toBe(normalise(missing.body));
        }
      }
    }
    expect(
      await h.api.db.sql("SELECT * FROM projects WHERE user_id = $1 ORDER BY id", [owner.id]),
    ).toEqual(before);
    expect(await h.api.db.tasks.ofOwner(owner.id)).toEqual(tasksBefore);
    expect((await h.request("GET", PROJECTS, { token: intruder.token })).body.data).toEqual([]);
  });

  it("refuses a task write naming another user's project exactly like a missing one (422 on projectId), and changes nothing", async () => {
    const owner = await h.user();
    const intruder = await h.user();
    const theirs = await project(owner, "Theirs");
    const mine = await h.task(intruder, { title: "mine" });
    const writes: [string, string, (projectId: number) => unknown][] = [
      ["POST", "/api/v1/tasks", (projectId) => ({ title: "x", projectId })],
      ["PATCH", `/api/v1/tasks/${mine.id}`, (projectId) => ({ projectId })],
      ["PUT", `/api/v1/tasks/${mine.id}`, (projectId) => ({ title: "x", projectId })],
    ];
    for (const [method, path, json] of writes) {
      const foreign = await h.request(method, path, {
        token: intruder.token,
        json: json(theirs.id),
      });
      const missing = await h.request(method, path, {
        token: intruder.token,
        json: json(theirs.id + 1),
      });
      expect([foreign.status, missing.status], method).toEqual([422, 422]);
      expect(foreign.body.errors, method).toEqual([
        { path: "projectId", message: "is not one of your projects" },
      ]);
      const normalise = (body: unknown) =>
        JSON.stringify(withoutRequestId(body)).replaceAll(
          new RegExp(`\\b(${theirs.id}|${theirs.id + 1})\\b`, "g"),
          "N",
        );
      expect(normalise(foreign.body), method).toBe(normalise(missing.body));
    }
    expect((await h.request("GET", "/api/v1/tasks", { token: intruder.token })).body.data).toEqual([
      mine,
    ]);
    expect(
      (await h.request("GET", `${PROJECTS}/${theirs.id}`, { token: owner.token })).body.openTasks,
    ).toBe(0);
  });

  it("removes an account's projects with it", async () => {
    const gone = await h.user();
    await project(gone, "Soon gone");
    expect((await h.request("DELETE", "/api/v1/users/me", { token: gone.token })).status).toBe(204);
    expect(await h.api.db.sql("SELECT 1 FROM projects WHERE user_id = $1", [gone.id])).toEqual([]);
  });
});
