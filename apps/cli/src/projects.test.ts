// Project commands through the built `todo` binary against a live API: projects, project
// add|rename|archive|unarchive|rm|restore, -P on add, list and edit, --no-project, names in any
// case, an unknown name (exit 1), the PROJECT column, and their --json shapes.
import { startTestApi, type TestApi } from "@todo/api/testing";
import { Project, Task, TaskList } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createCliUser, type CliUser } from "./testing/cli.js";

let api: TestApi;
let user: CliUser;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
  user = await createCliUser(api.url, { signup: true });
});
afterAll(async () => {
  await user?.cleanup();
  await api?.close();
});

/** Runs `todo … --json`, checks the exit code and parses stdout with `schema`. */
async function json<T>(schema: z.ZodType<T>, args: string[]): Promise<T> {
  const result = await user.todo([...args, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return schema.parse(JSON.parse(result.stdout));
}

describe("projects from the CLI", () => {
  it("creates, lists, renames, archives, removes and restores projects by name, in any case", async () => {
    const added = await user.todo(["project", "add", "Home", "Stuff"]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added project 1 "Home Stuff"');
    const work = await json(Project, ["project", "add", "Work"]);
    expect([work.id, work.name, work.openTasks]).toEqual([2, "Work", 0]);

    const listed = await user.todo(["projects"]);
    expect(listed.stdout).toMatch(/1\s+Home Stuff\s+0 open/);
    expect(listed.stdout).toMatch(/2\s+Work\s+0 open/);

    const renamed = await json(Project, ["project", "rename", "home stuff", "Home"]);
    expect([renamed.name, renamed.version]).toEqual(["Home", 2]);

    const taken = await user.todo(["project", "add", "WORK"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('You already have a project named "WORK"');
    expect(taken.stderr).toContain("todo projects --all");

    const unknown = await user.todo(["project", "archive", "Garden"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("todo projects");
    expect(unknown.stderr).toContain("todo project add Garden");

    expect((await json(Project, ["project", "archive", "WORK"])).archived).toBe(true);
    expect((await json(z.array(Project), ["projects"])).map((p) => p.name)).toEqual(["Home"]);
    expect((await json(z.array(Project), ["projects", "--archived"])).map((p) => p.name)).toEqual([
      "Work",
    ]);
    expect((await json(z.array(Project), ["projects", "--all"])).map((p) => p.name)).toEqual([
      "Home",
      "Work",
    ]);
    expect((await json(Project, ["project", "unarchive", "work"])).archived).toBe(false);
  });

  it("puts tasks in projects with -P, lists one project's tasks, moves them with edit -P and --no-project", async () => {
    const errand = await json(Task, ["add", "Buy", "milk", "-P", "home"]);
    const report = await json(Task, ["add", "Write", "report", "-P", "Work"]);
    const loose = await json(Task, ["add", "Call", "mum"]);
    expect([errand.projectId, report.projectId, loose.projectId]).toEqual([1, 2, null]);

    const home = await json(TaskList, ["list", "-P", "HOME"]);
    expect(home.data.map((task) => task.title)).toEqual(["Buy milk"]);
    const inbox = await json(TaskList, ["list", "-P", "none"]);
    expect(inbox.data.map((task) => task.title)).toEqual(["Call mum"]);

    const moved = await json(Task, ["edit", String(loose.id), "-P", "home"]);
    expect(moved.projectId).toBe(1);
    const out = await json(Task, ["edit", String(loose.id), "--no-project"]);
    expect(out.projectId).toBeNull();

    const missing = await user.todo(["add", "Plant", "roses", "-P", "Garden"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("todo project add Garden");
    expect((await json(TaskList, ["list", "--all"])).data).toHaveLength(3);
  });

  it("shows a PROJECT column only when the tasks on screen come from more than one project", async () => {
    const mixed = await user.todo(["list"]);
    expect(mixed.code, mixed.stderr).toBe(0);
    const lines = mixed.stdout.split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+PRI\s+DUE\s+PROJECT\s+TITLE/);
    expect(lines.find((line) => line.includes("Buy milk"))).toMatch(/\sHome\s+Buy milk/);
    expect(lines.find((line) => line.includes("Write report"))).toMatch(/\sWork\s+Write report/);
    expect(lines.find((line) => line.includes("Call mum"))).toMatch(/\sInbox\s+Call mum/);

    const one = await user.todo(["list", "-P", "home"]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).not.toContain("PROJECT");
    expect(one.stdout).toContain("Buy milk");
  });

  it("says so, with how to create it, when quick add's +name is none of your projects (exit 1, nothing created)", async () => {
    const before = (await json(TaskList, ["list", "--all"])).meta.total;
    const unknown = await user.todo(["add", "Dig", "beds", "+garden", "#outside"]);
    expect(unknown).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'You have no project named "garden"; list yours with `todo projects --all`, or create it with `todo project add garden`.\n',
    });
    // A known one beside it, any case, and -P: still the unknown one is named.
    const beside = await user.todo(["add", "Dig", "+HOME", "+Garden", "-P", "work"]);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toContain('no project named "Garden"');
    expect((await json(TaskList, ["list", "--all"])).meta.total).toBe(before);
    // Other refusals of the words are still usage errors.
    const untitled = await user.todo(["add", "+home", "#x"]);
    expect(untitled.code).toBe(2);
    const added = await json(Task, ["add", "Dig", "beds", "+home"]);
    expect(added.projectId).toBe(1);
    expect((await user.todo(["rm", String(added.id)])).code).toBe(0);
  });

  it("removes a project with its tasks and restores them", async () => {
    const removed = await user.todo(["project", "rm", "home"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("todo project restore 1");
    expect((await json(TaskList, ["list"])).data.map((task) => task.title)).toEqual([
      "Write report",
      "Call mum",
    ]);
    const restored = await json(Project, ["project", "restore", "1"]);
    expect([restored.name, restored.openTasks]).toEqual(["Home", 1]);
    const bad = await user.todo(["project", "restore", "x1"]);
    expect(bad.code).toBe(2);
  });
});
