// ProjectService and the project side of TaskService on a real database (PostgreSQL with
// TEST_DATABASE_URL, else PGlite): ownership, names, archive, delete/restore with their tasks.
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import {
  ProjectListQuery,
  TaskListQuery,
  type ProjectListParams,
  type TaskListParams,
} from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing.js";
import type { Actor } from "./auth-service.js";
import { ProjectService } from "./project-service.js";
import { TaskService } from "./task-service.js";

let db: TestDatabase;
let projects: ProjectService;
let tasks: TaskService;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  projects = new ProjectService(db);
  tasks = new TaskService(db);
});
afterAll(() => db.close());

async function newActor(): Promise<Actor> {
  const user = await db.users.insert({ email: `projects${++counter}@example.com` });
  return { userId: user.id };
}

const listProjects = (actor: Actor, params: ProjectListParams = {}) =>
  projects.list(actor, ProjectListQuery.parse(params));
const titles = async (actor: Actor, params: TaskListParams = {}) =>
  (await tasks.list(actor, TaskListQuery.parse({ sort: "title", ...params }))).data.map(
    (task) => task.title,
  );

describe("projects", () => {
  it("creates projects numbered per user, with uid, creator and open-task counts", async () => {
    const alice = await newActor();
    const home = await projects.create(alice, { name: "Home" });
    expect(home).toMatchObject({
      id: 1,
      name: "Home",
      archived: false,
      openTasks: 0,
      version: 1,
      createdBy: alice.userId,
    });
    expect(home.uid).toMatch(/^[0-9a-f-]{36}$/);
    await tasks.create(alice, { title: "a", projectId: home.id });
    await tasks.create(alice, { title: "b", projectId: home.id, completed: true });
    await tasks.create(alice, { title: "c" });
    expect((await projects.get(alice, home.id)).openTasks).toBe(1);
    expect((await projects.create(alice, { name: "Work" })).id).toBe(2);
  });

  it("refuses a second live project with the same name whatever the case (409), also on rename and restore", async () => {
    const alice = await newActor();
    const home = await projects.create(alice, { name: "Home" });
    const work = await projects.create(alice, { name: "Work" });
    expect((await failure(projects.create(alice, { name: "HOME" }))).code).toBe(
      "project_name_taken",
    );
    expect((await failure(projects.rename(alice, work.id, { name: "home" }))).status).toBe(409);
    await projects.remove(alice, home.id);
    const again = await projects.create(alice, { name: "home" });
    expect((await failure(projects.restore(alice, home.id))).code).toBe("project_name_taken");
    await projects.rename(alice, again.id, { name: "Home (new)" });
    expect((await projects.restore(alice, home.id)).name).toBe("Home");
    // Another user's names are theirs.
    expect((await projects.create(await newActor(), { name: "Home" })).id).toBe(1);
  });

  it("renames with If-Match (412 on a stale version), and the same name changes nothing", async () => {
    const alice = await newActor();
    const project = await projects.create(alice, { name: "Garden" });
    const same = await projects.rename(alice, project.id, { name: "Garden" });
    expect(same.version).toBe(1);
    const stale = await failure(
      projects.rename(alice, project.id, { name: "Yard" }, { ifMatch: 7 }),
    );
    expect([stale.code, stale.data.currentVersion]).toEqual(["precondition_failed", 1]);
    const renamed = await projects.rename(alice, project.id, { name: "Yard" }, { ifMatch: 1 });
    expect([renamed.name, renamed.version]).toEqual(["Yard", 2]);
  });

  it("lists by name case-insensitively, active by default, archived or all on request, in keyset pages", async () => {
    const alice = await newActor();
    for (const name of ["beta", "Alpha", "delta", "Charlie", "Échecs"])
      await projects.create(alice, { name });
    const delta = (await listProjects(alice)).data.find((p) => p.name === "delta")!;
    const archived = await projects.setArchived(alice, delta.id, true);
    expect([archived.archived, archived.version]).toEqual([true, 2]);
    expect((await projects.setArchived(alice, delta.id, true)).version).toBe(2);

    const walk = async (params: ProjectListParams) => {
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await listProjects(alice, {
          ...params,
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        names.push(...page.data.map((p) => p.name));
        cursor = page.meta.nextCursor;
      } while (cursor);
      return names;
    };
    const all = await walk({ archived: "all" });
    expect(all.slice(0, 4)).toEqual(["Alpha", "beta", "Charlie", "delta"]);
    expect(all).toHaveLength(5);
    expect(await walk({})).toEqual(all.filter((name) => name !== "delta"));
    expect(await walk({ archived: "true" })).toEqual(["delta"]);
    expect((await failure(listProjects(alice, { cursor: "nope" }))).code).toBe("validation_failed");
  });

  it("answers another user's project exactly like a missing one, on every operation, and changes nothing", async () => {
    const owner = await newActor();
    const other = await newActor();
    const project = await projects.create(owner, { name: "Private" });
    const operations: [string, (actor: Actor, id: number) => Promise<unknown>][] = [
      ["get", (actor, id) => projects.get(actor, id)],
      ["rename", (actor, id) => projects.rename(actor, id, { name: "Mine now" })],
      ["archive", (actor, id) => projects.setArchived(actor, id, true)],
      ["unarchive", (actor, id) => projects.setArchived(actor, id, false)],
      ["remove", (actor, id) => projects.remove(actor, id)],
      ["restore", (actor, id) => projects.restore(actor, id)],
    ];
    for (const [name, operation] of operations) {
      const foreign = await failure(operation(other, project.id));
      const missing = await failure(operation(other, 999));
      expect([foreign.code, foreign.status], name).toEqual(["not_found", 404]);
      expect(foreign.detail.replace(String(project.id), "N"), name).toBe(
        missing.detail.replace("999", "N"),
      );
    }
    expect(await projects.get(owner, project.id)).toEqual(project);
    expect((await listProjects(other)).data).toEqual([]);
  });

  it("refuses a task write naming another user's project exactly like a missing one (422 on projectId), and writes nothing", async () => {
    const owner = await newActor();
    const other = await newActor();
    const project = await projects.create(owner, { name: "Theirs" });
    const mine = await tasks.create(other, { title: "mine" });
    const writes: [string, (projectId: number) => Promise<unknown>][] = [
      ["create", (projectId) => tasks.create(other, { title: "x", projectId })],
      ["update", (projectId) => tasks.update(other, mine.id, { projectId })],
      ["replace", (projectId) => tasks.replace(other, mine.id, { title: "x", projectId })],
    ];
    for (const [name, write] of writes) {
      const foreign = await failure(write(project.id));
      const missing = await failure(write(project.id + 1));
      expect([foreign.code, foreign.data.errors?.[0]?.path], name).toEqual([
        "validation_failed",
        "projectId",
      ]);
      expect(foreign.data.errors, name).toEqual(missing.data.errors);
      expect(foreign.detail.replace(String(project.id), "N"), name).toBe(
        missing.detail.replace(String(project.id + 1), "N"),
      );
    }
    expect(await tasks.get(other, mine.id)).toEqual(mine);
    expect((await tasks.list(other, TaskListQuery.parse({}))).data).toEqual([mine]);
    expect((await projects.get(owner, project.id)).openTasks).toBe(0);
    // A deleted project of one's own is refused the same way.
    const gone = await projects.create(other, { name: "Gone" });
    await projects.remove(other, gone.id);
    expect((await failure(tasks.create(other, { title: "x", projectId: gone.id }))).code).toBe(
      "validation_failed",
    );
  });

  it("moves tasks between projects and out of them, and filters lists by project (or none)", async () => {
    const alice = await newActor();
    const home = await projects.create(alice, { name: "Home" });
    const work = await projects.create(alice, { name: "Work" });
    const task = await tasks.create(alice, { title: "report", projectId: work.id });
    await tasks.create(alice, { title: "dishes", projectId: home.id });
    await tasks.create(alice, { title: "loose" });
    expect(task.projectId).toBe(work.id);
    expect(await titles(alice, { project: String(work.id) })).toEqual(["report"]);
    expect(await titles(alice, { project: "none" })).toEqual(["loose"]);
    const moved = await tasks.update(alice, task.id, { projectId: home.id });
    expect([moved.projectId, moved.version]).toEqual([home.id, 2]);
    expect(await titles(alice, { project: String(home.id), status: "pending" })).toEqual([
      "dishes",
      "report",
    ]);
    expect((await tasks.update(alice, task.id, { projectId: null })).projectId).toBeNull();
    // PUT without projectId puts the task in no project.
    const placed = await tasks.update(alice, task.id, { projectId: work.id });
    expect((await tasks.replace(alice, placed.id, { title: "report" })).projectId).toBeNull();
  });

  it("leaves archived projects' tasks out of the task list unless the query names the project", async () => {
    const alice = await newActor();
    const someday = await projects.create(alice, { name: "Someday" });
    await tasks.create(alice, { title: "learn the cello", projectId: someday.id });
    await tasks.create(alice, { title: "pay rent" });
    expect(await titles(alice)).toEqual(["learn the cello", "pay rent"]);
    await projects.setArchived(alice, someday.id, true);
    expect(await titles(alice)).toEqual(["pay rent"]);
    expect((await tasks.list(alice, TaskListQuery.parse({ page: "1" }))).meta.total).toBe(1);
    expect(await titles(alice, { project: String(someday.id) })).toEqual(["learn the cello"]);
    await projects.setArchived(alice, someday.id, false);
    expect(await titles(alice)).toEqual(["learn the cello", "pay rent"]);
  });

  it("deletes a project with its live tasks and restores exactly those", async () => {
    const alice = await newActor();
    const trip = await projects.create(alice, { name: "Trip" });
    const [pack, book, visa] = [
      await tasks.create(alice, { title: "pack", projectId: trip.id }),
      await tasks.create(alice, { title: "book", projectId: trip.id, completed: true }),
      await tasks.create(alice, { title: "visa", projectId: trip.id }),
    ];
    await tasks.remove(alice, visa.id);
    const stale = await failure(projects.remove(alice, trip.id, { ifMatch: 9 }));
    expect(stale.code).toBe("precondition_failed");
    expect(await titles(alice)).toEqual(["book", "pack"]);

    await projects.remove(alice, trip.id);
    expect((await failure(projects.get(alice, trip.id))).code).toBe("not_found");
    expect(await titles(alice)).toEqual([]);
    // Removed before the project, then both its live tasks with it (ties by number).
    expect(await titles(alice, { deleted: "true", sort: "deletedAt" })).toEqual([
      "visa",
      "pack",
      "book",
    ]);

    const restored = await projects.restore(alice, trip.id);
    expect([restored.name, restored.openTasks]).toEqual(["Trip", 1]);
    expect(await titles(alice)).toEqual(["book", "pack"]);
    expect((await tasks.get(alice, pack.id)).deletedAt).toBeNull();
    expect((await tasks.get(alice, book.id)).completed).toBe(true);
    expect((await failure(tasks.get(alice, visa.id))).code).toBe("not_found");
    expect(await projects.restore(alice, trip.id)).toEqual(restored);
  });

  it("brings a task back into no project when it is restored on its own after its project was deleted", async () => {
    const alice = await newActor();
    const old = await projects.create(alice, { name: "Old" });
    const task = await tasks.create(alice, { title: "keep me", projectId: old.id });
    await projects.remove(alice, old.id);
    const restored = await tasks.restore(alice, task.id);
    expect([restored.deletedAt, restored.projectId]).toEqual([null, null]);
    // It no longer follows the project.
    await projects.restore(alice, old.id);
    expect((await projects.get(alice, old.id)).openTasks).toBe(0);
  });
});
