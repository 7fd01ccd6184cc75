// The projects table on a real database (PostgreSQL with TEST_DATABASE_URL, else PGlite): what the
// schema itself guarantees, whatever the code above it does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateLatest, openDatabase, rootConnection } from "../database.js";
import { isUniqueViolation } from "../errors.js";
import { migrationSource } from "../migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../testing.js";
import type { NewTask } from "./tasks.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const TASK: NewTask = {
  title: "x",
  description: null,
  dueDate: null,
  priority: 0,
  tags: [],
  completed: false,
  projectId: null,
};

let counter = 0;
const newUser = () => db.users.insert({ email: `projects${++counter}@example.com` });
const sqlState = (error: unknown) => (error as { code?: string }).code;

describe("projects schema", () => {
  it("numbers each owner's projects 1, 2, 3 … also under concurrent creates, and records the creator and a uid", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => db.projects.create(alice.id, `p${i}`)),
    );
    expect(created.map((row) => row!.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(new Set(created.map((row) => row!.uid)).size).toBe(12);
    expect(created[0]!.created_by).toBe(alice.id);
    expect((await db.projects.create(bob.id, "p0"))!.id).toBe(1);
  });

  it("keeps live names unique per owner whatever the case; a deleted project frees its name", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const home = (await db.projects.create(alice.id, "Home"))!;
    await expect(db.projects.create(alice.id, "HOME")).rejects.toSatisfy(isUniqueViolation);
    expect(await db.projects.create(bob.id, "home")).toBeDefined();
    await db.projects.update(alice.id, home.id, { removed: true });
    const again = (await db.projects.create(alice.id, "home"))!;
    expect(again.id).toBe(home.id + 1);
    // Restoring the first would make two live "home" projects.
    await expect(db.projects.update(alice.id, home.id, { removed: false })).rejects.toSatisfy(
      isUniqueViolation,
    );
    await expect(
      db.sql("INSERT INTO projects (user_id, id, name) VALUES ($1, 99, '  ')", [alice.id]),
    ).rejects.toSatisfy((error: unknown) => sqlState(error) === "23514");
  });

  it("refuses a task in another user's project (composite foreign key), and in a project that does not exist", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const project = (await db.projects.create(alice.id, "Work"))!;
    expect((await db.tasks.create(alice.id, { ...TASK, projectId: project.id }))!.project_id).toBe(
      project.id,
    );
    // Bob has no project 1: the key (bob, 1) names nothing, even though Alice has a project 1.
    await expect(db.tasks.create(bob.id, { ...TASK, projectId: project.id })).rejects.toSatisfy(
      (error: unknown) => sqlState(error) === "23503",
    );
    const bobs = (await db.tasks.create(bob.id, TASK))!;
    await expect(db.tasks.change(bob.id, bobs.id, { projectId: project.id })).rejects.toSatisfy(
      (error: unknown) => sqlState(error) === "23503",
    );
  });

  it("removes an account's projects with it (and its tasks in them)", async () => {
    const alice = await newUser();
    const project = (await db.projects.create(alice.id, "Gone"))!;
    await db.tasks.create(alice.id, { ...TASK, projectId: project.id });
    expect(await db.users.delete(alice.id)).toBe(true);
    expect(await db.sql("SELECT * FROM projects WHERE user_id = $1", [alice.id])).toEqual([]);
    expect(await db.sql("SELECT * FROM tasks WHERE user_id = $1", [alice.id])).toEqual([]);
  });

  it("lists live projects by name, case folded, with the archived filter and keyset pages", async () => {
    const alice = await newUser();
    for (const name of ["beta", "Alpha", "delta", "Charlie", "echo"])
      await db.projects.create(alice.id, name);
    const delta = (await db.projects.list(alice.id, {}, { limit: 10 })).find(
      (row) => row.name === "delta",
    )!;
    await db.projects.update(alice.id, delta.id, { archived: true });
    const echo = (await db.projects.list(alice.id, {}, { limit: 10 })).at(-1)!;
    await db.projects.update(alice.id, echo.id, { removed: true });
    const names = async (archived: boolean | undefined, after?: string) =>
      (await db.projects.list(alice.id, { archived }, { limit: 2, after })).map((r) => r.name);
    expect(await names(undefined)).toEqual(["Alpha", "beta"]);
    expect(await names(undefined, "beta")).toEqual(["Charlie", "delta"]);
    expect(await names(false, "beta")).toEqual(["Charlie"]);
    expect(await names(true)).toEqual(["delta"]);
  });

  it("restores exactly the tasks removed with their project, and counts open tasks per project", async () => {
    const alice = await newUser();
    const project = (await db.projects.create(alice.id, "Trip"))!;
    const other = (await db.projects.create(alice.id, "Other"))!;
    const make = (fields: Partial<NewTask> = {}) =>
      db.tasks.create(alice.id, { ...TASK, projectId: project.id, ...fields });
    const [open, done, earlier] = [await make(), await make({ completed: true }), await make()];
    const elsewhere = (await db.tasks.create(alice.id, { ...TASK, projectId: other.id }))!;
    await db.tasks.change(alice.id, earlier!.id, { removed: true });
    expect(await db.tasks.openCounts(alice.id, [project.id, other.id, 99])).toEqual(
      new Map([
        [project.id, 1],
        [other.id, 1],
        [99, 0],
      ]),
    );

    expect(await db.tasks.removeWithProject(alice.id, project.id)).toBe(2);
    expect(await db.tasks.find(alice.id, open!.id)).toBeUndefined();
    expect(await db.tasks.find(alice.id, elsewhere.id)).toBeDefined();
    expect(await db.tasks.restoreWithProject(alice.id, project.id)).toBe(2);
    const rows = await db.tasks.ofOwner(alice.id);
    const state = (id: number) => rows.find((row) => row.id === id)!;
    expect(state(open!.id)).toMatchObject({ deleted_at: null, deleted_with_project: false });
    expect(state(done!.id)).toMatchObject({ deleted_at: null, completed: true });
    // Removed on its own before the project was: it stays in the trash.
    expect(state(earlier!.id).deleted_at).not.toBeNull();
    expect(await db.tasks.restoreWithProject(alice.id, project.id)).toBe(0);
  });

  it("leaves archived projects' tasks out of lists that name no project, and lists them when named", async () => {
    const alice = await newUser();
    const project = (await db.projects.create(alice.id, "Someday"))!;
    await db.tasks.create(alice.id, { ...TASK, title: "inbox" });
    await db.tasks.create(alice.id, { ...TASK, title: "someday", projectId: project.id });
    const titles = async (project?: number | null) =>
      (
        await db.tasks.list(alice.id, { project }, { order: "title", descending: false, limit: 9 })
      ).map((row) => row.title);
    expect(await titles()).toEqual(["inbox", "someday"]);
    await db.projects.update(alice.id, project.id, { archived: true });
    expect(await titles()).toEqual(["inbox"]);
    expect(await titles(project.id)).toEqual(["someday"]);
    expect(await titles(null)).toEqual(["inbox"]);
    expect(await db.tasks.count(alice.id, {})).toBe(1);
  });
});

describe("migration 20261212000001_projects", () => {
  it("gives tasks stored before it a uid each and their owner as creator, in no project", async () => {
    const embedded = openDatabase({});
    try {
      const earlier = {
        ...migrationSource,
        getMigrations: async () =>
          (await migrationSource.getMigrations([])).filter(([name]) => name < "20261212000001"),
      };
      const { knex } = rootConnection(embedded);
      await knex.migrate.latest({ migrationSource: earlier });
      const user = await embedded.users.insert({ email: "before-projects@example.com" });
      await knex("tasks").insert([
        { user_id: user.id, id: 1, title: "one" },
        { user_id: user.id, id: 2, title: "two" },
      ]);

      expect((await migrateLatest(embedded))[0]).toBe("20261212000001_projects");
      const rows = await embedded.tasks.ofOwner(user.id);
      expect(rows.map((row) => [row.created_by, row.project_id])).toEqual([
        [user.id, null],
        [user.id, null],
      ]);
      expect(rows[0]!.uid).not.toBe(rows[1]!.uid);
    } finally {
      await embedded.close();
    }
  });
});
