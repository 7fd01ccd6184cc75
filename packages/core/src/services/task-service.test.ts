// TaskService on a real database (PostgreSQL with TEST_DATABASE_URL, else PGlite): the rules the
// core keeps over the tasks table — ownership, 404 vs 412, cursors, filters, the trash, and
// "nothing changes when nothing changes".
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import type { Task, TaskListQuery, TaskSort } from "@todo/contract";
import { SORT_FIELDS, TaskListQuery as TaskListQuerySchema } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainError } from "../errors.js";
import { failure } from "../testing.js";
import type { Actor } from "./auth-service.js";
import { TaskService, type WriteOptions } from "./task-service.js";

let db: TestDatabase;
let tasks: TaskService;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  tasks = new TaskService(db);
});
afterAll(() => db.close());

async function newActor(): Promise<Actor> {
  const user = await db.users.insert({ email: `tasks${++counter}@example.com` });
  return { userId: user.id };
}

/** A list query as the API parses it from a query string. */
const query = (params: Record<string, unknown> = {}): TaskListQuery =>
  TaskListQuerySchema.parse(params);

/** Every page of a list, following `nextCursor` from the first page; the ids in order. */
async function walk(actor: Actor, params: Record<string, unknown>): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await tasks.list(actor, query({ ...params, ...(cursor ? { cursor } : {}) }));
    ids.push(...page.data.map((task) => task.id));
    cursor = page.meta.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error("the cursor walk did not end");
}

describe("ownership", () => {
  it("answers another user's task exactly like a missing one, on every operation, and changes nothing", async () => {
    const owner = await newActor();
    const other = await newActor();
    const task = await tasks.create(owner, { title: "mine" });
    const operations: [string, (actor: Actor, id: number, options: WriteOptions) => unknown][] = [
      ["get", (actor, id) => tasks.get(actor, id)],
      ["update", (actor, id, options) => tasks.update(actor, id, { title: "theirs" }, options)],
      ["update (empty)", (actor, id, options) => tasks.update(actor, id, {}, options)],
      ["replace", (actor, id, options) => tasks.replace(actor, id, { title: "theirs" }, options)],
      ["complete", (actor, id, options) => tasks.setCompleted(actor, id, true, options)],
      ["reopen", (actor, id, options) => tasks.setCompleted(actor, id, false, options)],
      ["remove", (actor, id, options) => tasks.remove(actor, id, options)],
      ["restore", (actor, id) => tasks.restore(actor, id)],
    ];
    for (const [name, operation] of operations) {
      for (const options of [{}, { ifMatch: 1 }, { ifMatch: 99 }]) {
        const label = `${name} ${JSON.stringify(options)}`;
        const foreign = await failure(Promise.resolve(operation(other, task.id, options)));
        const missing = await failure(Promise.resolve(operation(other, 999, options)));
        expect(foreign.code, label).toBe("not_found");
        expect(foreign.status, label).toBe(404);
        expect(foreign.detail.replace(String(task.id), "N"), label).toBe(
          missing.detail.replace("999", "N"),
        );
      }
    }
    expect(await tasks.get(owner, task.id)).toEqual(task);
    expect((await tasks.list(other, query())).data).toEqual([]);
  });
});

describe("create and the per-user numbers", () => {
  it("numbers each owner's tasks 1, 2, 3 … and never reuses a number", async () => {
    const a = await newActor();
    const b = await newActor();
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) => tasks.create(a, { title: `t${i}` })),
    );
    expect(created.map((task) => task.id).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await tasks.create(b, { title: "b" })).id).toBe(1);
    await tasks.remove(a, 8);
    expect((await tasks.create(a, { title: "after" })).id).toBe(9);
  });

  it("refuses an owner that no longer exists", async () => {
    const gone = { userId: "00000000-0000-4000-8000-000000000000" };
    expect((await failure(tasks.create(gone, { title: "x" }))).code).toBe("unauthorized");
  });
});

describe("list: cursors and pages", () => {
  let actor: Actor;
  let all: Task[];

  beforeAll(async () => {
    actor = await newActor();
    // Ties on every sort field, null due dates, both states, distinct ids.
    for (let i = 0; i < 23; i++) {
      await tasks.create(actor, {
        title: `title ${String.fromCharCode(97 + (i % 5))}`,
        priority: (["none", "low", "medium", "high"] as const)[i % 4],
        dueDate: i % 3 === 0 ? null : `2026-0${1 + (i % 4)}-1${i % 2}`,
        completed: i % 6 === 0,
      });
    }
    for (const id of [2, 5, 11]) await tasks.update(actor, id, { description: "touched" });
    all = (await tasks.list(actor, query({ limit: 100 }))).data;
    expect(all).toHaveLength(23);
  });

  /** The order the API documents for a sort, computed here, with ties broken by id. */
  function expected(sort: TaskSort): number[] {
    const descending = sort.startsWith("-");
    const field = (descending ? sort.slice(1) : sort) as keyof Task;
    const key = (task: Task): string | number => {
      if (field === "priority") return ["none", "low", "medium", "high"].indexOf(task.priority);
      if (field === "dueDate") return task.dueDate ?? "9999-99-99"; // no due date sorts last (infinity)
      return task[field] as string;
    };
    const sign = descending ? -1 : 1;
    return [...all]
      .sort((x, y) => {
        const [a, b] = [key(x), key(y)];
        if (a !== b) return (a < b ? -1 : 1) * sign;
        return (x.id - y.id) * sign;
      })
      .map((task) => task.id);
  }

  const LIVE_SORTS = SORT_FIELDS.filter((field) => field !== "deletedAt").flatMap(
    (field): TaskSort[] => [field, `-${field}`],
  );

  it.each(LIVE_SORTS)(
    "sort=%s: walking every cursor page gives each task once, in the documented order",
    async (sort) => {
      expect(await walk(actor, { sort, limit: 4 })).toEqual(expected(sort));
      // Page mode agrees, with its totals.
      const second = await tasks.list(actor, query({ sort, limit: 4, page: 2 }));
      expect(second.data.map((task) => task.id)).toEqual(expected(sort).slice(4, 8));
      expect(second.meta).toEqual({
        limit: 4,
        total: 23,
        page: 2,
        totalPages: 6,
        nextCursor: expect.any(String),
      });
    },
  );

  it("ends with nextCursor null on the last page, in both modes", async () => {
    expect((await tasks.list(actor, query({ limit: 23 }))).meta.nextCursor).toBeNull();
    expect((await tasks.list(actor, query({ limit: 23, page: 1 }))).meta.nextCursor).toBeNull();
    expect((await tasks.list(actor, query({ limit: 22 }))).meta.nextCursor).not.toBeNull();
  });

  it("refuses a forged cursor, and one issued for another sort", async () => {
    const first = await tasks.list(actor, query({ sort: "title", limit: 2 }));
    const forged = Buffer.from(JSON.stringify(["title", "x'; DROP TABLE tasks", 0])).toString(
      "base64url",
    );
    for (const [cursor, sort] of [
      ["not-a-cursor", "title"],
      [forged, "title"],
      [first.meta.nextCursor!, "-title"],
      [Buffer.from(JSON.stringify(["dueDate", "yesterday", 1])).toString("base64url"), "dueDate"],
    ] as const) {
      const error = await failure(tasks.list(actor, query({ sort, cursor })));
      expect(error.code).toBe("validation_failed");
      expect(error.data.errors).toEqual([
        { path: "cursor", message: "is not a cursor this API issued for this sort" },
      ]);
    }
  });
});

describe("list: filters", () => {
  it("filters by status, text, tags, priority, due dates and overdue, combined", async () => {
    const actor = await newActor();
    const make = (title: string, extra: Record<string, unknown> = {}) =>
      tasks.create(actor, { title, ...extra });
    const milk = await make("Buy MILK", { tags: ["home", "shop"], priority: "high" });
    const percent = await make("100% done", { description: "with_underscore", tags: ["home"] });
    const late = await make("late", { dueDate: "2000-01-01", priority: "high" });
    const lateDone = await make("late but done", { dueDate: "2000-01-02", completed: true });
    const future = await make("future", { dueDate: "2999-12-31" });
    const ids = async (params: Record<string, unknown>) =>
      (await tasks.list(actor, query({ sort: "createdAt", ...params }))).data.map((t) => t.id);

    expect(await ids({ status: "completed" })).toEqual([lateDone.id]);
    expect(await ids({ status: "pending" })).toEqual([milk.id, percent.id, late.id, future.id]);
    expect(await ids({ q: "milk" })).toEqual([milk.id]);
    // `%` and `_` are literal characters, not patterns.
    expect(await ids({ q: "%" })).toEqual([percent.id]);
    expect(await ids({ q: "y_m" })).toEqual([]);
    expect(await ids({ q: "_under" })).toEqual([percent.id]);
    expect(await ids({ tag: "home" })).toEqual([milk.id, percent.id]);
    expect(await ids({ tag: ["home", "shop"] })).toEqual([milk.id]);
    expect(await ids({ priority: "high" })).toEqual([milk.id, late.id]);
    expect(await ids({ dueBefore: "2000-01-02" })).toEqual([late.id, lateDone.id]);
    expect(await ids({ dueAfter: "2000-01-02" })).toEqual([lateDone.id, future.id]);
    expect(await ids({ overdue: "true" })).toEqual([late.id]);
    expect(await ids({ overdue: "false" })).toEqual([milk.id, percent.id, lateDone.id, future.id]);
    expect(await ids({ overdue: "true", priority: "low" })).toEqual([]);
    const counted = await tasks.list(actor, query({ status: "pending", page: 1, limit: 2 }));
    expect(counted.meta).toMatchObject({ total: 4, totalPages: 2 });
  });
});

describe("the trash", () => {
  it("moves a removed task to the trash, lists it by removal time, restores it", async () => {
    const actor = await newActor();
    const [a, b, c] = [
      await tasks.create(actor, { title: "a" }),
      await tasks.create(actor, { title: "b" }),
      await tasks.create(actor, { title: "c" }),
    ];
    await tasks.remove(actor, b.id);
    await tasks.remove(actor, a.id);
    expect((await tasks.list(actor, query())).data.map((task) => task.id)).toEqual([c.id]);
    expect((await failure(tasks.get(actor, a.id))).code).toBe("not_found");
    expect((await failure(tasks.update(actor, a.id, { title: "x" }))).code).toBe("not_found");
    expect((await failure(tasks.remove(actor, a.id))).code).toBe("not_found");

    const trash = await tasks.list(actor, query({ deleted: "true" }));
    expect(trash.data.every((task) => task.deletedAt !== null)).toBe(true);
    // Last removed first; ties (the same millisecond) broken by id, as the index orders them.
    const byRemoval = [...trash.data].sort(
      (x, y) => x.deletedAt!.localeCompare(y.deletedAt!) || x.id - y.id,
    );
    expect(byRemoval.map((task) => task.id).sort()).toEqual([a.id, b.id].sort());
    expect(trash.data).toEqual([...byRemoval].reverse());
    expect(await walk(actor, { deleted: "true", sort: "deletedAt", limit: 1 })).toEqual(
      byRemoval.map((task) => task.id),
    );

    const restored = await tasks.restore(actor, a.id);
    expect(restored).toMatchObject({ id: a.id, title: "a", deletedAt: null, version: 3 });
    expect(await tasks.get(actor, a.id)).toEqual(restored);
    expect((await tasks.list(actor, query({ deleted: "true" }))).data.map((t) => t.id)).toEqual([
      b.id,
    ]);
    expect((await failure(tasks.restore(actor, 999))).code).toBe("not_found");
  });
});

describe("conditional writes: 404 vs 412", () => {
  it("applies a write whose If-Match is current, refuses a stale one with 412 and the current version, and says 404 for a missing task whatever the If-Match", async () => {
    const actor = await newActor();
    const task = await tasks.create(actor, { title: "v1" });
    const v2 = await tasks.update(actor, task.id, { title: "v2" }, { ifMatch: 1 });
    expect(v2).toMatchObject({ title: "v2", version: 2 });

    const writes: [string, () => Promise<unknown>][] = [
      ["update", () => tasks.update(actor, task.id, { title: "stale" }, { ifMatch: 1 })],
      ["update (empty)", () => tasks.update(actor, task.id, {}, { ifMatch: 1 })],
      ["update (same values)", () => tasks.update(actor, task.id, { title: "v2" }, { ifMatch: 1 })],
      ["replace", () => tasks.replace(actor, task.id, { title: "stale" }, { ifMatch: 1 })],
      ["complete", () => tasks.setCompleted(actor, task.id, true, { ifMatch: 1 })],
      ["reopen (already pending)", () => tasks.setCompleted(actor, task.id, false, { ifMatch: 1 })],
      ["remove", () => tasks.remove(actor, task.id, { ifMatch: 1 })],
    ];
    for (const [name, write] of writes) {
      const error = await failure(write());
      expect(error.code, name).toBe("precondition_failed");
      expect(error.status, name).toBe(412);
      expect(error.data.currentVersion, name).toBe(2);
    }
    expect(await tasks.get(actor, task.id)).toEqual(v2);

    for (const ifMatch of [1, 2, 99]) {
      const error = await failure(tasks.update(actor, 999, { title: "x" }, { ifMatch }));
      expect(error.code).toBe("not_found");
      expect((await failure(tasks.remove(actor, 999, { ifMatch }))).code).toBe("not_found");
    }

    await tasks.remove(actor, task.id, { ifMatch: 2 });
    expect((await failure(tasks.get(actor, task.id))).code).toBe("not_found");
  });
});

describe("nothing changes when nothing changes", () => {
  it("leaves version and updatedAt alone for equal values, completing a done task, reopening a pending one and restoring a live one", async () => {
    const actor = await newActor();
    const task = await tasks.create(actor, {
      title: "same",
      description: "d",
      dueDate: "2026-12-01",
      priority: "low",
      tags: ["a", "b"],
    });
    const unchanged = [
      () => tasks.update(actor, task.id, { title: "same" }),
      () => tasks.update(actor, task.id, { tags: ["a", "b"], priority: "low" }),
      () => tasks.update(actor, task.id, { description: "d", dueDate: "2026-12-01" }),
      () => tasks.update(actor, task.id, { completed: false }),
      () =>
        tasks.replace(actor, task.id, {
          title: "same",
          description: "d",
          dueDate: "2026-12-01",
          priority: "low",
          tags: ["a", "b"],
        }),
      () => tasks.update(actor, task.id, { title: "same" }, { ifMatch: 1 }),
      () => tasks.setCompleted(actor, task.id, false),
      () => tasks.restore(actor, task.id),
    ];
    for (const write of unchanged) expect(await write()).toEqual(task);
    expect(await tasks.get(actor, task.id)).toEqual(task);

    // A real change still bumps both, and only once per change.
    const done = await tasks.setCompleted(actor, task.id, true);
    expect(done).toMatchObject({ completed: true, version: 2 });
    expect(done.completedAt).not.toBeNull();
    expect(await tasks.setCompleted(actor, task.id, true)).toEqual(done);
    expect(await tasks.update(actor, task.id, { completed: true })).toEqual(done);
    const reordered = await tasks.update(actor, task.id, { tags: ["b", "a"] });
    expect(reordered).toMatchObject({ tags: ["b", "a"], version: 3 });
    const cleared = await tasks.update(actor, task.id, { description: null, dueDate: null });
    expect(cleared).toMatchObject({ description: null, dueDate: null, version: 4 });
    expect(await tasks.update(actor, task.id, { description: null })).toEqual(cleared);
  });
});

describe("concurrent writes", () => {
  // Each write decides missing / stale / applied on one state of the row. When a write read the
  // row again after a missed UPDATE, a concurrent write slipping in between made it answer 200
  // with a task its change was never applied to.
  // In pairs (complete, complete, reopen, reopen …; edit, remove, edit, restore …) so that some
  // writes find nothing to change, and ending on a restore, so that the task ends live.
  const ROUNDS = 152;

  it("answers every complete with a completed task and every reopen with a pending one, however they interleave", async () => {
    const actor = await newActor();
    const task = await tasks.create(actor, { title: "flip" });
    const answers = await Promise.all(
      Array.from({ length: ROUNDS }, async (_, i) => {
        const completed = Math.floor(i / 2) % 2 === 0;
        return { completed, task: await tasks.setCompleted(actor, task.id, completed) };
      }),
    );
    const wrong = answers.filter((answer) => answer.task.completed !== answer.completed);
    expect(wrong).toEqual([]);
    // Every answer is a state the task really was in: versions are never reused for two states.
    const byVersion = new Map<number, boolean>();
    for (const { task: answered } of answers) {
      expect(byVersion.get(answered.version) ?? answered.completed).toBe(answered.completed);
      byVersion.set(answered.version, answered.completed);
    }
  });

  it("applies every edit it answers 200 to, while the task is removed and restored under it", async () => {
    const actor = await newActor();
    const task = await tasks.create(actor, { title: "edit me" });
    const wrong: { asked: string; answered: string }[] = [];
    await Promise.all(
      Array.from({ length: ROUNDS }, async (_, i) => {
        if (i % 4 === 1) return tasks.remove(actor, task.id).catch(() => undefined);
        if (i % 4 === 3) return tasks.restore(actor, task.id).catch(() => undefined);
        const title = `edit ${i}`;
        try {
          const answered = await tasks.update(actor, task.id, { title });
          if (answered.title !== title) wrong.push({ asked: title, answered: answered.title });
        } catch (error) {
          // Removed at that moment: a 404 is a true answer.
          expect((error as DomainError).code).toBe("not_found");
        }
      }),
    );
    expect(wrong).toEqual([]);
  });

  it("lets exactly one of many writes with the same If-Match apply; the others get 412", async () => {
    const actor = await newActor();
    const task = await tasks.create(actor, { title: "contested" });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        tasks.update(actor, task.id, { title: `writer ${i}` }, { ifMatch: task.version }).then(
          (updated) => ({ updated, i }),
          (error: unknown) => ({ error: error as DomainError, i }),
        ),
      ),
    );
    const applied = outcomes.filter((outcome) => "updated" in outcome);
    expect(applied).toHaveLength(1);
    const winner = applied[0] as { updated: Task; i: number };
    expect(winner.updated).toMatchObject({ title: `writer ${winner.i}`, version: 2 });
    for (const outcome of outcomes) {
      if ("error" in outcome) {
        expect(outcome.error.code).toBe("precondition_failed");
        expect(outcome.error.data.currentVersion).toBe(2);
      }
    }
    expect(await tasks.get(actor, task.id)).toEqual(winner.updated);
  });
});
