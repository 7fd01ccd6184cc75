// Task commands through the built `todo` binary against a live API: add, list, show, done, undo,
// rm, restore, edit, their --json shapes, exit codes, and the idempotent retry of `add`.
import { createServer, connect, type Server, type Socket } from "node:net";
import { addDays, format } from "date-fns";
import { startTestApi, type TestApi } from "@todo/api/testing";
import { Task, TaskList } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliUser, type CliUser } from "./testing/cli.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
});
afterAll(async () => {
  await api?.close();
});

const inDays = (days: number) => format(addDays(new Date(), days), "yyyy-MM-dd");

/** Runs `todo … --json` and parses stdout, checking nothing else was printed there. */
async function json(user: CliUser, args: string[]): Promise<unknown> {
  const result = await user.todo([...args, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("add, show and list", () => {
  it("adds a task from several words with every option, and --json prints the API's task", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const added = await user.todo([
      "add",
      "Buy",
      "oat",
      "milk",
      "-d",
      "the barista one",
      "--due",
      "tomorrow",
      "-p",
      "high",
      "-t",
      "Home",
      "-t",
      "errands",
    ]);
    expect(added).toMatchObject({
      code: 0,
      stderr: "",
      stdout: `Added task 1 "Buy oat milk" (due ${inDays(1)}).\n`,
    });

    const task = Task.strict().parse(await json(user, ["show", "1"]));
    expect(task).toMatchObject({
      id: 1,
      title: "Buy oat milk",
      description: "the barista one",
      dueDate: inDays(1),
      priority: "high",
      tags: ["home", "errands"],
      completed: false,
    });
    const created = Task.strict().parse(await json(user, ["add", "second", "--due", "+3d"]));
    expect(created).toMatchObject({ id: 2, dueDate: inDays(3), priority: "none", tags: [] });

    const shown = await user.todo(["show", "1"]);
    expect(shown.stdout).toContain("#1  Buy oat milk");
    expect(shown.stdout).toMatch(/Priority\s+high/);
    expect(shown.stdout).toContain("the barista one");
    await user.cleanup();
  });

  it("lists pending tasks in an aligned table with overdue marked and a summary, without colour when piped", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await user.todo(["add", "Pay rent", "--due", "2020-01-31", "-p", "high", "-t", "home"]);
    await user.todo(["add", "Water the plants 🌱", "-t", "home", "-t", "garden"]);
    await user.todo(["add", "Read a book", "--due", "+7d", "-p", "low"]);
    await user.todo(["done", "3"]);

    const list = await user.todo(["list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain("\u001b[");
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      "ID  STATUS   PRI   DUE         TITLE                TAGS",
      "1   overdue  high  2020-01-31  Pay rent             #home",
      "2   pending  -     -           Water the plants 🌱  #home #garden",
      "2 pending tasks, 1 overdue.",
    ]);

    const all = await user.todo(["list", "--all"]);
    expect(all.stdout).toContain(`3   done     low   ${inDays(7)}  Read a book`);
    expect(all.stdout).toContain("3 tasks, 1 overdue.");
    await user.cleanup();
  });

  it("filters by status, tag, search, priority and overdue, sorts, and pages with --json giving {data, meta}", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await user.todo(["add", "alpha report", "-t", "work", "-p", "low", "--due", "2021-05-01"]);
    await user.todo(["add", "beta groceries", "-t", "home", "-p", "high"]);
    await user.todo([
      "add",
      "gamma report",
      "-t",
      "work",
      "-t",
      "urgent",
      "-p",
      "high",
      "--due",
      "+2d",
    ]);
    await user.todo(["add", "delta", "-p", "medium"]);
    await user.todo(["done", "4"]);

    const titles = async (args: string[]) => {
      const body = TaskList.parse(await json(user, ["list", ...args]));
      return body.data.map((task) => task.title);
    };
    expect(await titles([])).toEqual(["alpha report", "beta groceries", "gamma report"]);
    expect(await titles(["--done"])).toEqual(["delta"]);
    expect(await titles(["--all"])).toHaveLength(4);
    expect(await titles(["-t", "work"])).toEqual(["alpha report", "gamma report"]);
    expect(await titles(["-t", "work", "-t", "urgent"])).toEqual(["gamma report"]);
    expect(await titles(["-s", "REPORT"])).toEqual(["alpha report", "gamma report"]);
    expect(await titles(["-p", "high"])).toEqual(["beta groceries", "gamma report"]);
    expect(await titles(["--overdue"])).toEqual(["alpha report"]);
    expect(await titles(["--sort", "-title"])).toEqual([
      "gamma report",
      "beta groceries",
      "alpha report",
    ]);

    const page = TaskList.parse(await json(user, ["list", "--all", "--limit", "3", "--page", "2"]));
    expect(page.data.map((task) => task.id)).toEqual([4]);
    expect(page.meta).toMatchObject({ limit: 3, page: 2, total: 4, totalPages: 2 });

    const first = await user.todo(["list", "--all", "--limit", "3"]);
    expect(first.stdout.trimEnd().split("\n").at(-1)).toBe(
      "Showing 1–3 of 4 tasks (page 1 of 2), 1 overdue on this page; --page 2 for more.",
    );

    const none = await user.todo(["list", "-t", "nothing-here"]);
    expect(none).toMatchObject({
      code: 0,
      stdout: "No pending tasks match; add one with `todo add <title>`.\n",
    });
    await user.cleanup();
  });
});

describe("changing tasks", () => {
  it("completes, reopens, removes and restores several tasks at once", async () => {
    const user = await createCliUser(api.url, { signup: true });
    for (const title of ["one", "two", "three"]) await user.todo(["add", title]);

    const done = await user.todo(["done", "1", "3"]);
    expect(done).toMatchObject({
      code: 0,
      stdout: 'Completed task 1 "one".\nCompleted task 3 "three".\n',
    });
    const doneJson = (await json(user, ["done", "1", "2"])) as unknown[];
    expect(
      doneJson.map((task) => Task.parse(task)).map((task) => [task.id, task.completed]),
    ).toEqual([
      [1, true],
      [2, true],
    ]);

    const undo = await user.todo(["undo", "2", "3"]);
    expect(undo.stdout).toBe('Reopened task 2 "two".\nReopened task 3 "three".\n');
    expect(Task.parse(await json(user, ["undo", "1"]))).toMatchObject({
      id: 1,
      completed: false,
      completedAt: null,
    });

    const rm = await user.todo(["rm", "1", "2"]);
    expect(rm.stdout).toBe(
      "Removed task 1; undo with `todo restore 1`.\nRemoved task 2; undo with `todo restore 2`.\n",
    );
    expect(await json(user, ["rm", "3"])).toEqual({ deleted: [3] });
    expect((await user.todo(["list", "--all"])).stdout).toBe(
      "No tasks; add one with `todo add <title>`.\n",
    );

    expect(Task.parse(await json(user, ["restore", "2"]))).toMatchObject({ id: 2, title: "two" });
    expect((await user.todo(["restore", "1"])).stdout).toBe('Restored task 1 "one".\n');
    expect(((await json(user, ["list"])) as { data: Task[] }).data.map((task) => task.id)).toEqual([
      1, 2,
    ]);
    await user.cleanup();
  });

  it("reports a missing id among several with exit 1 and still changes the others", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await user.todo(["add", "one"]);
    await user.todo(["add", "two"]);
    const result = await user.todo(["done", "1", "99", "2"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('Completed task 1 "one".\nCompleted task 2 "two".\n');
    expect(result.stderr).toBe(
      "No task 99; run `todo list --all` to see your task numbers.\n1 of 3 tasks were not found (99); the others were changed.\n",
    );
    await user.cleanup();
  });

  it("edits title, description, due date, priority and tags", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await user.todo(["add", "draft", "-d", "old", "--due", "today", "-t", "a", "-t", "b"]);
    const edited = await user.todo([
      "edit",
      "1",
      "--title",
      "Final draft",
      "-p",
      "medium",
      "--due",
      "2030-01-02",
      "-t",
      "c",
      "--untag",
      "a",
    ]);
    expect(edited).toMatchObject({ code: 0, stdout: 'Updated task 1 "Final draft".\n' });
    expect(Task.parse(await json(user, ["show", "1"]))).toMatchObject({
      title: "Final draft",
      description: "old",
      priority: "medium",
      dueDate: "2030-01-02",
      tags: ["b", "c"],
      version: 2,
    });
    const cleared = Task.parse(await json(user, ["edit", "1", "--no-due", "-d", ""]));
    expect(cleared).toMatchObject({ dueDate: null, description: null });

    const nothing = await user.todo(["edit", "1"]);
    expect(nothing).toMatchObject({
      code: 2,
      stderr: "Nothing to change; pass --title, -d, --due, --no-due, -p, -t or --untag.\n",
    });
    await user.cleanup();
  });
});

describe("errors", () => {
  it("treats a bad date, priority, id or option as a usage error (exit 2) that creates nothing", async () => {
    const user = await createCliUser(api.url, { signup: true });
    for (const args of [
      ["add", "x", "--due", "someday"],
      ["add", "x", "--due", "2026-02-30"],
      ["add", "x", "-p", "urgent"],
      ["add", "   "],
      ["add", "x", "--bogus"],
      ["list", "--limit", "500"],
      ["list", "--sort", "size"],
      ["done", "1", "abc"],
      ["show", "0"],
      ["edit", "1", "--due", "next year"],
      ["frobnicate"],
    ]) {
      const result = await user.todo(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout, args.join(" ")).toBe("");
      expect(result.stderr, args.join(" ")).not.toBe("");
    }
    expect((await user.todo(["add", "x", "--due", "someday"])).stderr).toBe(
      '"someday" is not a date; use YYYY-MM-DD, today, tomorrow, a weekday such as friday, or an offset such as +3d.\n',
    );
    expect(TaskList.parse(await json(user, ["list", "--all"])).data).toEqual([]);
    await user.cleanup();
  });

  it('says "no task N" with exit 1 for a missing task and for another user\'s task', async () => {
    const owner = await createCliUser(api.url, { signup: true });
    const other = await createCliUser(api.url, { signup: true });
    await owner.todo(["add", "private"]);
    for (const user of [owner, other]) {
      const missing = await user.todo(["show", user === owner ? "7" : "1"]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(
        `No task ${user === owner ? 7 : 1}; run \`todo list --all\` to see your task numbers.\n`,
      );
    }
    for (const args of [
      ["done", "1"],
      ["edit", "1", "--title", "mine"],
      ["rm", "1"],
      ["restore", "1"],
    ]) {
      expect((await other.todo(args)).stderr, args.join(" ")).toContain("No task 1;");
    }
    expect(Task.parse(await json(owner, ["show", "1"]))).toMatchObject({
      title: "private",
      completed: false,
    });
    await Promise.all([owner.cleanup(), other.cleanup()]);
  });
});

describe("add over a flaky network", () => {
  let proxy: Server;
  let proxyUrl: string;
  let dropped = 0;

  beforeAll(async () => {
    // A TCP proxy that forwards the first `POST /api/v1/tasks` to the API, lets the API create the
    // task, then cuts the connection before the answer arrives: the CLI sees a network error.
    proxy = createServer((client: Socket) => {
      const upstream = connect(Number(new URL(api.url).port), "127.0.0.1");
      let cut = false;
      client.on("data", (chunk) => {
        if (dropped === 0 && chunk.toString("latin1").startsWith("POST /api/v1/tasks ")) {
          dropped++;
          cut = true;
        }
        upstream.write(chunk);
      });
      upstream.on("data", (chunk) => {
        if (cut) client.destroy();
        else client.write(chunk);
      });
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
  });

  it("retries with the same Idempotency-Key and creates exactly one task", async () => {
    const user = await createCliUser(proxyUrl, { signup: true });
    const added = await user.todo(["add", "exactly", "once", "--json"]);
    expect(dropped).toBe(1);
    expect(added.code, added.stderr).toBe(0);
    expect(Task.parse(JSON.parse(added.stdout))).toMatchObject({ id: 1, title: "exactly once" });
    const list = TaskList.parse(await json(user, ["list", "--all"]));
    expect(list.data.map((task) => task.title)).toEqual(["exactly once"]);
    await user.cleanup();
  });
});
