// One task's life over real HTTP: create, read, PATCH, PUT, complete/reopen, delete/restore, the
// limits on every write path, ETag/If-Match, and the HTTP-level errors (DESIGN §3).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness, type Reply, type TestUser } from "../testing/index.js";

let h: Harness;
let user: TestUser;
beforeAll(async () => {
  h = await startHarness();
  user = await h.user();
});
afterAll(() => h.close());

const call = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) =>
  h.request(method, `/api/v1${path}`, { token: user.token, json, headers });

const expectProblem = (reply: Reply, status: number, code: string) => {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, code, requestId: expect.any(String) });
};

const errorPaths = (reply: Reply) =>
  (reply.body.errors as { path: string }[]).map((error) => error.path);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("recurring tasks over HTTP", () => {
  it("creates with a rule and its reading, refuses a rule without a due date or a bad one (422), and completing moves the date", async () => {
    const created = await call("POST", "/tasks", {
      title: "Pay rent",
      dueDate: "2020-01-01",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      recurrenceText: "every month on the 1st",
    });
    for (const body of [
      { title: "x", recurrence: "FREQ=DAILY" },
      { title: "x", dueDate: "2027-01-01", recurrence: "FREQ=SECONDLY" },
      { title: "x", dueDate: "2027-01-01", recurrence: "" },
    ]) {
      const refused = await call("POST", "/tasks", body);
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.body.errors[0].path).toBe("recurrence");
    }
    const id = created.body.id as number;
    expect((await call("PATCH", `/tasks/${id}`, { dueDate: null })).status).toBe(422);
    const done = await call("POST", `/tasks/${id}/complete`);
    expect(done.status).toBe(200);
    // Overdue since 2020: the first 1st of a month after today, wherever today is.
    expect(done.body.completed).toBe(false);
    expect(done.body.dueDate > new Date().toISOString().slice(0, 10)).toBe(true);
    expect(done.body.dueDate.endsWith("-01")).toBe(true);
    expect(done.headers.get("etag")).toBe(`"${done.body.version}"`);
    const reopened = await call("POST", `/tasks/${id}/reopen`);
    expect(reopened.body).toMatchObject({ completed: false, dueDate: "2020-01-01" });
  });
});

describe("POST /tasks", () => {
  it("creates with defaults, answers 201 with Location and ETag, and trims the title", async () => {
    const reply = await call("POST", "/tasks", { title: "  Buy milk  " });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: expect.any(Number),
      title: "Buy milk",
      description: null,
      completed: false,
      completedAt: null,
      dueDate: null,
      priority: "none",
      tags: [],
      version: 1,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      deletedAt: null,
      projectId: null,
      uid: expect.stringMatching(UUID),
      createdBy: user.id,
      recurrence: null,
      recurrenceText: null,
    });
    expect(reply.headers.get("location")).toBe(`/api/v1/tasks/${reply.body.id}`);
    expect(reply.headers.get("etag")).toBe('"1"');
    const fetched = await h.request("GET", reply.headers.get("location")!, { token: user.token });
    expect(fetched.body).toEqual(reply.body);
  });

  it("stores every field: tags trimmed, lower-cased and de-duplicated, blank description as null, completed with completedAt", async () => {
    const reply = await call("POST", "/tasks", {
      title: "Full",
      description: "  some words ",
      dueDate: "2026-12-01",
      priority: "high",
      tags: [" Home", "home", "ERRANDS", "errands "],
      completed: true,
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      title: "Full",
      description: "some words",
      dueDate: "2026-12-01",
      priority: "high",
      tags: ["home", "errands"],
      completed: true,
      completedAt: expect.stringMatching(ISO),
    });
    expect(
      (await call("POST", "/tasks", { title: "blank description", description: "   " })).body
        .description,
    ).toBeNull();
  });

  it("round-trips tags with commas, quotes, braces, backslashes and the word NULL, and finds them by tag", async () => {
    const tags = [
      "a,b",
      'q"uote',
      "{brace}",
      "back\\slash",
      "null",
      "with space",
      "ünïcödé",
      "'; drop table tasks; --",
    ];
    const created = await call("POST", "/tasks", { title: "tricky tags", tags });
    expect(created.status).toBe(201);
    expect(created.body.tags).toEqual(tags);
    expect((await call("GET", `/tasks/${created.body.id}`)).body.tags).toEqual(tags);
    for (const tag of tags) {
      const listed = await call("GET", `/tasks?tag=${encodeURIComponent(tag)}`);
      expect(
        listed.body.data.map((task: { id: number }) => task.id),
        tag,
      ).toEqual([created.body.id]);
    }
    const replaced = await call("PATCH", `/tasks/${created.body.id}`, { tags: ['x"y', "NULL"] });
    expect(replaced.body.tags).toEqual(['x"y', "null"]);
  });

  it("accepts exactly the limits: title 200, description 5000, 20 tags of 40 characters, leap day", async () => {
    const tags = Array.from(
      { length: 20 },
      (_, index) => `${String(index).padStart(2, "0")}${"t".repeat(38)}`,
    );
    const reply = await call("POST", "/tasks", {
      title: "T".repeat(200),
      description: "D".repeat(5000),
      tags,
      dueDate: "2028-02-29",
    });
    expect(reply.status).toBe(201);
    expect(reply.body.title).toHaveLength(200);
    expect(reply.body.description).toHaveLength(5000);
    expect(reply.body.tags).toEqual(tags);
  });
});

/** Bodies every write path must refuse with 422, and the error path each must name. */
const INVALID: [name: string, body: Record<string, unknown>, path: string][] = [
  ["title over 200", { title: "T".repeat(201) }, "title"],
  ["blank title", { title: "   " }, "title"],
  ["title not a string", { title: 42 }, "title"],
  ["description over 5000", { title: "x", description: "D".repeat(5001) }, "description"],
  [
    "21 tags",
    { title: "x", tags: Array.from({ length: 21 }, (_, index) => `tag${index}`) },
    "tags",
  ],
  ["tag over 40", { title: "x", tags: ["t".repeat(41)] }, "tags.0"],
  ["blank tag", { title: "x", tags: ["ok", "  "] }, "tags.1"],
  ["tags not an array", { title: "x", tags: "home" }, "tags"],
  ["2026-02-30", { title: "x", dueDate: "2026-02-30" }, "dueDate"],
  ["2027-02-29", { title: "x", dueDate: "2027-02-29" }, "dueDate"],
  ["date with time", { title: "x", dueDate: "2026-12-01T00:00:00Z" }, "dueDate"],
  ["year 0", { title: "x", dueDate: "0000-01-01" }, "dueDate"],
  ["unknown priority", { title: "x", priority: "urgent" }, "priority"],
  ["numeric priority", { title: "x", priority: 3 }, "priority"],
  ["completed as string", { title: "x", completed: "yes" }, "completed"],
  ["id", { title: "x", id: 7 }, "id"],
  ["userId", { title: "x", userId: "00000000-0000-4000-8000-000000000000" }, "userId"],
  ["version", { title: "x", version: 9 }, "version"],
  ["createdAt", { title: "x", createdAt: "2020-01-01T00:00:00.000Z" }, "createdAt"],
  ["completedAt", { title: "x", completedAt: "2020-01-01T00:00:00.000Z" }, "completedAt"],
];

describe("limits and unknown fields on every write path", () => {
  it.each(INVALID)(
    "POST, PATCH and PUT refuse %s with 422 naming the field, and change nothing",
    async (_name, body, path) => {
      const task = await h.task(user, { title: "limit target" });
      const create = await call("POST", "/tasks", body);
      expectProblem(create, 422, "validation_failed");
      expect(errorPaths(create)).toContain(path);
      for (const method of ["PATCH", "PUT"]) {
        const reply = await call(method, `/tasks/${task.id}`, body);
        expectProblem(reply, 422, "validation_failed");
        expect(errorPaths(reply), method).toContain(path);
      }
      expect((await call("GET", `/tasks/${task.id}`)).body).toEqual(task);
    },
  );

  it("PUT requires a title; PATCH does not", async () => {
    const task = await h.task(user);
    const put = await call("PUT", `/tasks/${task.id}`, { priority: "low" });
    expectProblem(put, 422, "validation_failed");
    expect(errorPaths(put)).toContain("title");
    expect((await call("PATCH", `/tasks/${task.id}`, { priority: "low" })).body.priority).toBe(
      "low",
    );
  });
});

describe("PATCH /tasks/:id", () => {
  it("changes only the fields sent, bumps version and updatedAt, and null clears description and dueDate", async () => {
    const task = await h.task(user, {
      title: "patch me",
      description: "words",
      dueDate: "2026-12-01",
      priority: "low",
      tags: ["a"],
    });
    const patched = await call("PATCH", `/tasks/${task.id}`, {
      title: " renamed ",
      tags: ["B", "b"],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      title: "renamed",
      description: "words",
      dueDate: "2026-12-01",
      priority: "low",
      tags: ["b"],
      version: 2,
    });
    expect(patched.headers.get("etag")).toBe('"2"');
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.updatedAt));
    expect(patched.body.createdAt).toBe(task.createdAt);
    const cleared = await call("PATCH", `/tasks/${task.id}`, { description: null, dueDate: null });
    expect(cleared.body).toMatchObject({
      description: null,
      dueDate: null,
      title: "renamed",
      version: 3,
    });
  });

  it("treats an empty body as no change (version kept)", async () => {
    const task = await h.task(user);
    const reply = await call("PATCH", `/tasks/${task.id}`, {});
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(task);
  });

  it("refuses null for title, priority, tags and completed", async () => {
    const task = await h.task(user);
    for (const field of ["title", "priority", "tags", "completed"]) {
      const reply = await call("PATCH", `/tasks/${task.id}`, { [field]: null });
      expectProblem(reply, 422, "validation_failed");
      expect(errorPaths(reply)).toContain(field);
    }
  });

  it("sets and clears completedAt through completed", async () => {
    const task = await h.task(user);
    const done = await call("PATCH", `/tasks/${task.id}`, { completed: true });
    expect(done.body).toMatchObject({ completed: true, completedAt: expect.stringMatching(ISO) });
    const undone = await call("PATCH", `/tasks/${task.id}`, { completed: false });
    expect(undone.body).toMatchObject({ completed: false, completedAt: null });
  });
});

describe("PUT /tasks/:id", () => {
  it("replaces the editable state: omitted fields return to their defaults", async () => {
    const task = await h.task(user, {
      title: "full",
      description: "d",
      dueDate: "2026-12-01",
      priority: "high",
      tags: ["x"],
      completed: true,
    });
    const reply = await call("PUT", `/tasks/${task.id}`, { title: " only title " });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      ...task,
      title: "only title",
      description: null,
      dueDate: null,
      priority: "none",
      tags: [],
      completed: false,
      completedAt: null,
      version: 2,
      updatedAt: expect.stringMatching(ISO),
    });
    expect(reply.headers.get("etag")).toBe('"2"');
  });
});

describe("complete, reopen", () => {
  it("are idempotent, set and clear completedAt, and bump the version only on a change", async () => {
    const task = await h.task(user);
    const done = await call("POST", `/tasks/${task.id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      completed: true,
      completedAt: expect.stringMatching(ISO),
      version: 2,
    });
    expect(done.headers.get("etag")).toBe('"2"');
    const again = await call("POST", `/tasks/${task.id}/complete`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(done.body);
    const reopened = await call("POST", `/tasks/${task.id}/reopen`);
    expect(reopened.body).toMatchObject({ completed: false, completedAt: null, version: 3 });
    const reopenedAgain = await call("POST", `/tasks/${task.id}/reopen`);
    expect(reopenedAgain.body).toEqual(reopened.body);
  });

  it("keep the first completion time when a completed task is saved completed again", async () => {
    const task = await h.task(user, { title: "done early", completed: true });
    const put = await call("PUT", `/tasks/${task.id}`, { title: "still done", completed: true });
    expect(put.body.completedAt).toBe(task.completedAt);
  });
});

describe("DELETE and restore", () => {
  it("soft-deletes (204, then 404 everywhere) and restore brings the task back with a new version", async () => {
    const task = await h.task(user, { title: "phoenix", tags: ["x"] });
    const deleted = await call("DELETE", `/tasks/${task.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expectProblem(await call("GET", `/tasks/${task.id}`), 404, "not_found");
    expectProblem(await call("PATCH", `/tasks/${task.id}`, { title: "x" }), 404, "not_found");
    expectProblem(await call("POST", `/tasks/${task.id}/complete`), 404, "not_found");
    expectProblem(await call("DELETE", `/tasks/${task.id}`), 404, "not_found");
    const listed = await call("GET", "/tasks?limit=100&tag=x");
    expect(listed.body.data.map((t: { id: number }) => t.id)).not.toContain(task.id);
    const restored = await call("POST", `/tasks/${task.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({
      id: task.id,
      title: "phoenix",
      tags: ["x"],
      version: task.version + 2,
    });
    expect(restored.headers.get("etag")).toBe(`"${task.version + 2}"`);
    expect((await call("GET", `/tasks/${task.id}`)).body).toEqual(restored.body);
    // Restoring a live task returns it unchanged.
    expect((await call("POST", `/tasks/${task.id}/restore`)).body).toEqual(restored.body);
    expectProblem(await call("POST", "/tasks/99999/restore"), 404, "not_found");
  });
});

describe("ETag and If-Match", () => {
  it("ETag equals the quoted version on every task response", async () => {
    const task = await h.task(user);
    const get = await call("GET", `/tasks/${task.id}`);
    expect(get.headers.get("etag")).toBe(`"${get.body.version}"`);
    const patch = await call("PATCH", `/tasks/${task.id}`, { title: "v2" });
    expect(patch.headers.get("etag")).toBe(`"${patch.body.version}"`);
    const complete = await call("POST", `/tasks/${task.id}/complete`);
    expect(complete.headers.get("etag")).toBe(`"${complete.body.version}"`);
    // A conditional GET with the current ETag answers 304.
    const notModified = await call("GET", `/tasks/${task.id}`, undefined, {
      "if-none-match": `"${complete.body.version}"`,
    });
    expect(notModified.status).toBe(304);
  });

  const WRITES: [method: string, suffix: string, json?: unknown][] = [
    ["PATCH", "", { title: "changed" }],
    ["PUT", "", { title: "changed" }],
    ["DELETE", ""],
    ["POST", "/complete"],
    ["POST", "/reopen"],
  ];

  it.each(WRITES)(
    "%s%s with a stale or unusable If-Match answers 412 and changes nothing",
    async (method, suffix, json) => {
      const task = await h.task(user, { title: "guarded", completed: suffix === "/reopen" });
      await call("PATCH", `/tasks/${task.id}`, { description: "v2" });
      const current = (await call("GET", `/tasks/${task.id}`)).body;
      for (const ifMatch of [
        '"1"',
        '"3"',
        'W/"2"',
        "2",
        '"abc"',
        '"1", "2"',
        '"9999999999"',
        '"2147483648"',
      ]) {
        const reply = await call(method, `/tasks/${task.id}${suffix}`, json, {
          "if-match": ifMatch,
        });
        expectProblem(reply, 412, "precondition_failed");
        // RFC 9110 §13.1.1: the 412 tells the client the current version to re-read or retry with.
        expect(reply.headers.get("etag"), ifMatch).toBe(`"${current.version}"`);
      }
      expect((await call("GET", `/tasks/${task.id}`)).body).toEqual(current);
    },
  );

  it.each(WRITES)("%s%s with the current If-Match succeeds", async (method, suffix, json) => {
    const task = await h.task(user, { title: "guarded", completed: suffix === "/reopen" });
    const reply = await call(method, `/tasks/${task.id}${suffix}`, json, {
      "if-match": `"${task.version}"`,
    });
    expect(reply.status).toBe(method === "DELETE" ? 204 : 200);
    if (method !== "DELETE") expect(reply.body.version).toBe(task.version + 1);
    const star = await h.task(user, { title: "any version", completed: suffix === "/reopen" });
    expect(
      (await call(method, `/tasks/${star.id}${suffix}`, json, { "if-match": "*" })).status,
    ).toBe(method === "DELETE" ? 204 : 200);
  });
});

describe("HTTP-level errors", () => {
  it("answers malformed JSON with 400 malformed_json", async () => {
    for (const raw of ["{", '{"title": "x",}', "nul", '"just a string"', "42", "null"]) {
      const reply = await h.request("POST", "/api/v1/tasks", {
        token: user.token,
        raw,
        headers: { "content-type": "application/json" },
      });
      expectProblem(reply, 400, "malformed_json");
    }
  });

  it("answers a body over 100 kB with 413 payload_too_large", async () => {
    const reply = await call("POST", "/tasks", {
      title: "big",
      description: "x".repeat(101 * 1024),
    });
    expectProblem(reply, 413, "payload_too_large");
  });

  it("answers a text/plain or form body with 415 unsupported_media_type", async () => {
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const reply = await h.request("POST", "/api/v1/tasks", {
        token: user.token,
        raw: '{"title":"x"}',
        headers: { "content-type": type },
      });
      expectProblem(reply, 415, "unsupported_media_type");
    }
  });

  it("answers an unknown route with 404 problem+json, and a wrong method with 405", async () => {
    expectProblem(await h.request("GET", "/api/v1/nope"), 404, "not_found");
    expectProblem(await h.request("GET", "/nope"), 404, "not_found");
    expectProblem(await call("GET", "/tasks/1/frobnicate"), 404, "not_found");
    const wrongMethod = await call("PATCH", "/tasks");
    expect([404, 405]).toContain(wrongMethod.status);
    expect(wrongMethod.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    // RFC 9110 §15.5.6: a 405 lists the methods the resource allows.
    for (const [method, path, allow] of [
      ["DELETE", "/tasks", "HEAD, GET, POST"],
      ["PATCH", "/tasks", "HEAD, GET, POST"],
      ["POST", "/tasks/1", "HEAD, GET, PATCH, PUT, DELETE"],
      ["TRACE", "/tasks/1/complete", "POST"],
      ["PUT", "/users/me", "HEAD, GET, PATCH, DELETE"],
    ] as const) {
      const reply = await call(method, path);
      expectProblem(reply, 405, "method_not_allowed");
      expect(reply.headers.get("allow")?.split(", ").sort(), `${method} ${path}`).toEqual(
        allow.split(", ").sort(),
      );
    }
  });

  it("answers bad task ids with 422 or 404, never 500", async () => {
    for (const id of [
      "abc",
      "0",
      "-1",
      "1.5",
      "1e400",
      "99999999999999999999",
      "2147483648",
      "%00",
      "1%20OR%201=1",
      "NaN",
      "Infinity",
      "0x10",
    ]) {
      for (const [method, suffix, json] of [
        ["GET", ""],
        ["PATCH", "", {}],
        ["PUT", "", { title: "x" }],
        ["DELETE", ""],
        ["POST", "/complete"],
        ["POST", "/restore"],
      ] as const) {
        const reply = await call(method, `/tasks/${id}${suffix}`, json);
        expect([404, 422], `${method} ${id}${suffix}`).toContain(reply.status);
        expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      }
    }
    const reply = await call("GET", "/tasks/abc");
    expectProblem(reply, 422, "validation_failed");
  });
});
