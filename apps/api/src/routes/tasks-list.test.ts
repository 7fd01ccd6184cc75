// GET /tasks over real HTTP (DESIGN §3 "List query"): filters, every sort in both directions,
// page mode with totals, and cursor (keyset) mode walking every task exactly once.
import { PRIORITIES, type Task } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness, type Reply, type TestUser } from "../testing/index.js";

let h: Harness;
let user: TestUser;
let all: Task[];

const TITLES = ["kiwi", "apple", "mango", "apple", "banana", "kiwi", "cherry", "zucchini"];
const DUES = [null, "2000-01-01", "2999-06-01", null, "2000-01-01", "2999-12-31", "2500-03-03"];
const DESCRIPTIONS = [
  null,
  "Ten PERCENT: 100% sure",
  "snake_case words",
  "plain words",
  "Needle in description",
  null,
];

beforeAll(async () => {
  h = await startHarness();
  user = await h.user();
  const other = await h.user();
  // A neighbour whose tasks match every filter: none may ever show up.
  for (let index = 0; index < 5; index += 1) {
    await h.task(other, {
      title: "apple needle 100%",
      tags: ["home", "work"],
      dueDate: "2000-01-01",
      priority: "high",
    });
  }
  for (let index = 0; index < 29; index += 1) {
    await h.task(user, {
      title: TITLES[index % TITLES.length],
      description: DESCRIPTIONS[index % DESCRIPTIONS.length],
      dueDate: DUES[index % DUES.length],
      priority: PRIORITIES[index % PRIORITIES.length],
      tags: [["home"], ["work"], ["home", "work"], []][index % 4],
      completed: index % 3 === 0,
    });
  }
  // Shuffle updatedAt away from createdAt order, and leave one deleted task that must never be listed.
  for (const id of [20, 3, 11, 7])
    await call(`/tasks/${id}`, "PATCH", { description: `touched ${id}` });
  await call("/tasks/29", "DELETE");
  all = (await call("/tasks?limit=100&sort=createdAt")).body.data;
  expect(all).toHaveLength(28);
});
afterAll(() => h.close());

function call(path: string, method = "GET", json?: unknown): Promise<Reply> {
  return h.request(method, `/api/v1${path}`, { token: user.token, json });
}

async function list(query: string): Promise<Task[]> {
  const reply = await call(`/tasks?limit=100&${query}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.data;
}

const ids = (tasks: Task[]) => tasks.map((task) => task.id);
const sortedIds = (tasks: Task[]) => ids(tasks).sort((a, b) => a - b);
const expectIds = (actual: Task[], predicate: (task: Task) => boolean) =>
  expect(sortedIds(actual)).toEqual(sortedIds(all.filter(predicate)));

/** The order DESIGN promises: by the field, then id; ascending puts null due dates last, descending first. */
function expectedOrder(sort: string): number[] {
  const descending = sort.startsWith("-");
  const field = (descending ? sort.slice(1) : sort) as
    "createdAt" | "updatedAt" | "dueDate" | "priority" | "title";
  const key = (task: Task): string | number | null =>
    field === "priority" ? PRIORITIES.indexOf(task.priority) : task[field];
  const ascending = [...all].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return x < y ? -1 : 1;
    }
    return a.id - b.id;
  });
  return ids(descending ? ascending.reverse() : ascending);
}

const SORTS = ["createdAt", "updatedAt", "dueDate", "priority", "title"].flatMap((field) => [
  field,
  `-${field}`,
]);

describe("filters", () => {
  it("status: all (default), pending, completed; deleted tasks never appear", async () => {
    expect(sortedIds(await list(""))).toEqual(sortedIds(all));
    expectIds(await list("status=pending"), (task) => !task.completed);
    expectIds(await list("status=completed"), (task) => task.completed);
    expect(ids(await list(""))).not.toContain(29);
  });

  it("q: case-insensitive substring of title or description", async () => {
    expectIds(await list("q=APPLE"), (task) => task.title === "apple");
    expectIds(await list("q=needle"), (task) => /needle/i.test(task.description ?? ""));
    expectIds(await list("q=words"), (task) => /words/i.test(task.description ?? ""));
    expect(await list("q=nothing-matches-this")).toEqual([]);
  });

  it("q: % and _ are literal characters, not wildcards", async () => {
    expectIds(await list("q=%25"), (task) => (task.description ?? "").includes("%"));
    expectIds(await list("q=0%25%20s"), (task) => (task.description ?? "").includes("0% s"));
    expectIds(await list("q=_"), (task) => (task.description ?? "").includes("_"));
    expectIds(await list("q=e_c"), (task) => (task.description ?? "").includes("e_c"));
    expect(await list("q=%5C")).toEqual([]);
  });

  it("tag: one tag, repeated tags (all must match), case-insensitive", async () => {
    expectIds(await list("tag=home"), (task) => task.tags.includes("home"));
    expectIds(await list("tag=HOME"), (task) => task.tags.includes("home"));
    expectIds(
      await list("tag=home&tag=work"),
      (task) => task.tags.includes("home") && task.tags.includes("work"),
    );
    expect(await list("tag=home&tag=absent")).toEqual([]);
  });

  it("priority", async () => {
    for (const priority of PRIORITIES)
      expectIds(await list(`priority=${priority}`), (task) => task.priority === priority);
  });

  it("dueBefore and dueAfter (inclusive), alone and together; tasks without a due date never match", async () => {
    expectIds(
      await list("dueBefore=2500-03-03"),
      (task) => task.dueDate !== null && task.dueDate <= "2500-03-03",
    );
    expectIds(
      await list("dueAfter=2500-03-03"),
      (task) => task.dueDate !== null && task.dueDate >= "2500-03-03",
    );
    expectIds(
      await list("dueAfter=2000-01-02&dueBefore=2999-06-01"),
      (task) =>
        task.dueDate !== null && task.dueDate >= "2000-01-02" && task.dueDate <= "2999-06-01",
    );
  });

  it("overdue=true: pending tasks due before today", async () => {
    const overdue = await list("overdue=true");
    expectIds(overdue, (task) => !task.completed && task.dueDate === "2000-01-01");
    expect(overdue.length).toBeGreaterThan(0);
  });

  it("combines filters with AND", async () => {
    expectIds(
      await list("status=pending&tag=home&priority=low"),
      (task) => !task.completed && task.tags.includes("home") && task.priority === "low",
    );
  });
});

describe("trash (deleted=true)", () => {
  it("lists only removed tasks, last removed first, with deletedAt; restore takes a task out", async () => {
    // An owner of its own, so the shared fixture above stays as it is; the neighbour's trash never shows.
    const [owner, other] = [await h.user(), await h.user()];
    const trashOf = async (query = "") => {
      const reply = await h.request("GET", `/api/v1/tasks?deleted=true${query}`, {
        token: owner.token,
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return reply.body.data as Task[];
    };
    const [a, b, c] = [
      await h.task(owner, { title: "trash a" }),
      await h.task(owner, { title: "trash b" }),
      await h.task(owner, { title: "kept" }),
    ];
    const theirs = await h.task(other, { title: "their trash" });
    await h.request("DELETE", `/api/v1/tasks/${theirs.id}`, { token: other.token });
    for (const task of [a, b]) {
      const reply = await h.request("DELETE", `/api/v1/tasks/${task.id}`, { token: owner.token });
      expect(reply.status).toBe(204);
    }

    const trash = await trashOf();
    expect(ids(trash)).toEqual([b.id, a.id]);
    expect(trash.every((task) => task.deletedAt !== null)).toBe(true);
    expect(ids(await trashOf("&sort=deletedAt"))).toEqual([a.id, b.id]);
    const live = await h.request("GET", "/api/v1/tasks", { token: owner.token });
    expect(ids(live.body.data)).toEqual([c.id]);

    const restored = await h.request("POST", `/api/v1/tasks/${a.id}/restore`, {
      token: owner.token,
    });
    expect(restored.body.deletedAt).toBeNull();
    expect(ids(await trashOf())).toEqual([b.id]);
  });

  it("refuses deletedAt outside the trash, and other sorts inside it (422 naming sort)", async () => {
    for (const query of [
      "sort=deletedAt",
      "deleted=true&sort=title",
      "deleted=true&sort=-createdAt",
    ]) {
      const reply = await call(`/tasks?${query}`);
      expect(reply.status, query).toBe(422);
      expect(reply.body.errors[0].path, query).toBe("sort");
    }
  });
});

describe("sort", () => {
  it.each(SORTS)(
    "sort=%s orders by the field then id (null due dates last ascending, first descending)",
    async (sort) => {
      expect(ids(await list(`sort=${sort}`))).toEqual(expectedOrder(sort));
    },
  );

  it("defaults to -createdAt", async () => {
    expect(ids(await list(""))).toEqual(expectedOrder("-createdAt"));
  });
});

describe("page mode", () => {
  it("returns meta {limit, total, page, totalPages, nextCursor}, pages in order, and an empty page beyond the end", async () => {
    const first = await call("/tasks?limit=10&page=1&sort=title");
    expect(first.body.meta).toEqual({
      limit: 10,
      total: 28,
      page: 1,
      totalPages: 3,
      nextCursor: expect.any(String),
    });
    const third = await call("/tasks?limit=10&page=3&sort=title");
    expect(third.body.meta).toMatchObject({
      limit: 10,
      total: 28,
      page: 3,
      totalPages: 3,
      nextCursor: null,
    });
    expect(third.body.data).toHaveLength(8);
    const pages = [first, await call("/tasks?limit=10&page=2&sort=title"), third].flatMap((reply) =>
      ids(reply.body.data),
    );
    expect(pages).toEqual(expectedOrder("title"));
    const beyond = await call("/tasks?limit=10&page=4");
    expect(beyond.status).toBe(200);
    expect(beyond.body).toEqual({
      data: [],
      meta: { limit: 10, total: 28, page: 4, totalPages: 3, nextCursor: null },
    });
  });

  it("defaults to page 1 with limit 20, and totals follow the filters", async () => {
    const reply = await call("/tasks");
    expect(reply.body.meta).toMatchObject({ limit: 20, total: 28, page: 1, totalPages: 2 });
    expect(reply.body.data).toHaveLength(20);
    const filtered = await call("/tasks?status=completed&page=1");
    expect(filtered.body.meta.total).toBe(all.filter((task) => task.completed).length);
  });
});

describe("cursor mode", () => {
  async function walk(query: string, limit: number): Promise<number[]> {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      const reply: Reply = await call(
        `/tasks?limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      if (cursor)
        expect(reply.body.meta).toEqual({ limit, nextCursor: reply.body.meta.nextCursor });
      seen.push(...ids(reply.body.data));
      cursor = reply.body.meta.nextCursor;
      if (!cursor) return seen;
      expect(reply.body.data).toHaveLength(limit);
    }
    throw new Error("the cursor never ended");
  }

  it.each(SORTS)(
    "sort=%s: walks every task exactly once, in order, with page sizes 1, 4 and 7",
    async (sort) => {
      for (const limit of [1, 4, 7])
        expect(await walk(`sort=${sort}`, limit)).toEqual(expectedOrder(sort));
    },
  );

  it.each(SORTS)("sort=%s with status=pending: walks exactly the pending tasks", async (sort) => {
    const pending = new Set(ids(all.filter((task) => !task.completed)));
    expect(await walk(`sort=${sort}&status=pending`, 3)).toEqual(
      expectedOrder(sort).filter((id) => pending.has(id)),
    );
  });

  it("returns nextCursor null when nothing follows, also when the last page is exactly full", async () => {
    expect((await call("/tasks?limit=28")).body.meta.nextCursor).toBeNull();
    const first = await call("/tasks?limit=27");
    const last = await call(`/tasks?limit=27&cursor=${first.body.meta.nextCursor}`);
    expect(last.body).toEqual({
      data: [expect.objectContaining({ id: expectedOrder("-createdAt").at(-1) })],
      meta: { limit: 27, nextCursor: null },
    });
  });

  it("refuses a forged, garbled or foreign-sort cursor with 422 naming cursor", async () => {
    const real: string = (await call("/tasks?limit=2&sort=title")).body.meta.nextCursor;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const forged = [
      "garbage",
      "!!!",
      real.slice(0, -3),
      `${real}x`,
      encode(["title", "apple"]),
      encode(["title", "apple", 0]),
      encode(["title", "apple", -1]),
      encode(["title", "apple", 1.5]),
      encode(["title", "apple", 1e12]),
      encode(["title", { $gt: "" }, 1]),
      encode(["title", "x".repeat(201), 1]),
      encode(["title", "nul\u0000byte", 1]),
      encode({ sort: "title" }),
      encode(["-createdAt", "0000-01-01T00:00:00.000Z", 1]),
      encode(["-createdAt", "not a date", 1]),
      encode(["-createdAt", 12, 1]),
      encode(["dueDate", "2026-02-30", 1]),
      encode(["priority", 7, 1]),
      encode(["priority", "3", 1]),
    ];
    for (const cursor of forged) {
      const sort = (() => {
        try {
          const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
          return typeof parsed[0] === "string" ? parsed[0] : "title";
        } catch {
          return "title";
        }
      })();
      const reply = await call(
        `/tasks?sort=${encodeURIComponent(sort)}&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(reply.status, cursor).toBe(422);
      expect(reply.body.code).toBe("validation_failed");
      expect(reply.body.errors.map((error: { path: string }) => error.path)).toContain("cursor");
    }
    // A real cursor used with another sort.
    for (const sort of ["-title", "createdAt", "priority"]) {
      const reply = await call(`/tasks?sort=${sort}&cursor=${real}`);
      expect(reply.status, sort).toBe(422);
    }
  });
});

describe("bad list queries", () => {
  it.each([
    "limit=101",
    "limit=0",
    "limit=-1",
    "limit=1.5",
    "limit=abc",
    "limit=",
    "page=0",
    "page=-1",
    "page=1.5",
    "page=abc",
    "page=1&cursor=abc",
    "sort=bogus",
    "sort=-",
    "sort=userId",
    "status=done",
    "status=all&status=pending",
    "priority=urgent",
    "dueBefore=2026-02-30",
    "dueAfter=0000-01-01",
    "dueBefore=tomorrow",
    "overdue=yes",
    "tag=",
    "tag=" + "t".repeat(41),
    "q=",
    "q=" + "q".repeat(201),
    "userId=1",
    "unknown=1",
    "limit=1&limit=2",
  ])("%s answers 422 validation_failed", async (query) => {
    const reply = await call(`/tasks?${query}`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(422);
    expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(reply.body.code).toBe("validation_failed");
    expect(reply.body.errors.length).toBeGreaterThan(0);
  });
});
