// Task commands through the built `todo` binary against a live API: add, list, show, done, undo,
// rm, restore, edit, their --json shapes, exit codes, and the idempotent retry of `add`.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
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

/** Runs a one-line fetch against the API under the `spy` preload and returns its stderr. */
async function runTodoScript(spy: string): Promise<string> {
  const { stderr } = await promisify(execFile)(
    process.execPath,
    [
      "--import",
      pathToFileURL(spy).href,
      "-e",
      `await fetch(${JSON.stringify(`${api.url}/health`)})`,
      "--input-type=module",
    ],
    { env: {} },
  );
  return stderr;
}

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
      stdout: `Added task 1 "Buy oat milk" (due ${inDays(1)}, #home, #errands).\n`,
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
  it("completes, reopens, removes and restores several tasks at once, --json always an array", async () => {
    const user = await createCliUser(api.url, { signup: true });
    for (const title of ["one", "two", "three"]) await user.todo(["add", title]);

    const done = await user.todo(["done", "1", "3"]);
    expect(done).toMatchObject({
      code: 0,
      stdout: 'Completed task 1 "one".\nCompleted task 3 "three".\n',
    });
    const tasks = (value: unknown) => Task.array().parse(value);
    expect(tasks(await json(user, ["done", "2"])).map((task) => [task.id, task.completed])).toEqual(
      [[2, true]],
    );

    const undo = await user.todo(["undo", "2", "3"]);
    expect(undo.stdout).toBe('Reopened task 2 "two".\nReopened task 3 "three".\n');
    expect(tasks(await json(user, ["undo", "1"]))).toMatchObject([
      { id: 1, completed: false, completedAt: null },
    ]);

    const rm = await user.todo(["rm", "1", "2"]);
    expect(rm.stdout).toBe(
      "Removed task 1; undo with `todo restore 1`.\nRemoved task 2; undo with `todo restore 2`.\n",
    );
    expect(await json(user, ["rm", "3"])).toEqual([3]);
    expect((await user.todo(["list", "--all"])).stdout).toBe(
      "No tasks; add one with `todo add <title>`.\n",
    );

    expect(tasks(await json(user, ["restore", "2"]))).toMatchObject([
      { id: 2, title: "two", deletedAt: null },
    ]);
    expect((await user.todo(["restore", "1", "3"])).stdout).toBe(
      'Restored task 1 "one".\nRestored task 3 "three".\n',
    );
    expect(TaskList.parse(await json(user, ["list"])).data.map((task) => task.id)).toEqual([
      1, 2, 3,
    ]);
    await user.cleanup();
  });

  it("says what really happened when a task is already as asked, and changes nothing", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await user.todo(["add", "one"]);
    await user.todo(["add", "two", "-t", "home"]);
    await user.todo(["done", "1"]);
    const version = async (id: number) =>
      Task.parse(await json(user, ["show", String(id)])).version;
    const before = [await version(1), await version(2)];

    expect(await user.todo(["done", "1", "2"])).toMatchObject({
      code: 0,
      stdout: 'Task 1 was already done.\nCompleted task 2 "two".\n',
    });
    expect(await user.todo(["undo", "1"])).toMatchObject({
      code: 0,
      stdout: 'Reopened task 1 "one".\n',
    });
    expect(await user.todo(["undo", "1"])).toMatchObject({
      code: 0,
      stdout: "Task 1 was already pending.\n",
    });
    expect(await user.todo(["restore", "2"])).toMatchObject({
      code: 0,
      stdout: "Task 2 was not removed; nothing to restore.\n",
    });
    const unchanged = await version(2);
    expect(unchanged).toBe(before[1]! + 1); // completed once, nothing else
    expect(await user.todo(["edit", "2", "--untag", "nosuch"])).toMatchObject({
      code: 0,
      stdout: "Task 2 is unchanged: it has no tag nosuch.\n",
    });
    expect(
      await user.todo(["edit", "2", "--title", " two ", "-t", "HOME", "-p", "none"]),
    ).toMatchObject({
      code: 0,
      stdout:
        'Task 2 is unchanged: its title is already "two", its priority is already none and it already has tag home.\n',
    });
    expect(await version(2)).toBe(unchanged);
    expect(await version(1)).toBe(before[0]! + 1); // reopened once, nothing else
    // --json: the task as it is, whether or not this run changed it.
    expect(Task.parse(await json(user, ["edit", "2", "--untag", "nosuch"]))).toMatchObject({
      id: 2,
      version: unchanged,
    });
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
      "No task 99; run `todo list --all` to see your task numbers.\n1 of 3 tasks were not found (99); the rest are as reported above.\n",
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

    expect(await user.todo(["edit", "1", "-t", "x", "--untag", "X"])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "Tag x is both added and removed; pass it to -t or to --untag, not both.\n",
    });
    const nothing = await user.todo(["edit", "1"]);
    expect(nothing).toMatchObject({
      code: 2,
      stderr:
        "Nothing to change; pass --title, -d, --due, --no-due, --every, --recurrence, --no-recurrence, -p, -t or --untag.\n",
    });
    await user.cleanup();
  });
});

describe("the trash and sorting", () => {
  it("lists removed tasks with --deleted, last removed first, with when and how to restore", async () => {
    const user = await createCliUser(api.url, { signup: true });
    for (const title of ["keep", "first gone", "second gone"]) await user.todo(["add", title]);
    await user.todo(["rm", "2"]);
    await user.todo(["rm", "3"]);

    const trash = TaskList.parse(await json(user, ["list", "--deleted"]));
    expect(trash.data.map((task) => task.id)).toEqual([3, 2]);
    expect(trash.data.every((task) => task.deletedAt !== null)).toBe(true);

    const table = await user.todo(["list", "--deleted"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+REMOVED\s+STATUS\s+PRI\s+DUE\s+TITLE\s+TAGS$/);
    expect(lines[1]).toMatch(/^3\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+pending\s+-\s+-\s+second gone$/);
    expect(lines[2]).toMatch(/^2\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+pending\s+-\s+-\s+first gone$/);
    expect(lines[3]).toBe("2 removed tasks; restore one with `todo restore <id>`.");

    const oldest = TaskList.parse(await json(user, ["list", "--deleted", "--sort", "Removed"]));
    expect(oldest.data.map((task) => task.id)).toEqual([2, 3]);
    for (const [args, stderr] of [
      [
        ["list", "--deleted", "--sort", "due"],
        "The trash sorts only by removal time; use --sort removed or --sort -removed with --deleted.\n",
      ],
      [
        ["list", "--sort", "-removed"],
        "--sort removed sorts the trash; add --deleted to list removed tasks.\n",
      ],
    ] as const) {
      expect({ args, ...(await user.todo(args)) }).toEqual({ args, code: 2, stdout: "", stderr });
    }
    await user.todo(["restore", "2", "3"]);
    expect((await user.todo(["list", "--deleted"])).stdout).toBe(
      "No removed tasks; `todo rm <id>` moves a task here.\n",
    );
    await user.cleanup();
  });

  it("sorts by the natural spellings: due, created, updated, priority, title, any case, - for descending", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await user.todo(["add", "b later", "--due", "2031-01-01", "-p", "low"]);
    await user.todo(["add", "a sooner", "--due", "2030-01-01", "-p", "high"]);
    await user.todo(["add", "c never", "-p", "medium"]);
    await user.todo(["edit", "1", "-d", "touched last"]);
    const ids = async (sort: string) =>
      TaskList.parse(await json(user, ["list", "--sort", sort])).data.map((task) => task.id);
    expect(await ids("due")).toEqual([2, 1, 3]);
    expect(await ids("DueDate")).toEqual([2, 1, 3]);
    expect(await ids("-due")).toEqual([3, 1, 2]);
    expect(await ids("created")).toEqual([1, 2, 3]);
    expect(await ids("-Created")).toEqual([3, 2, 1]);
    expect((await ids("-updated"))[0]).toBe(1);
    expect(await ids("-priority")).toEqual([2, 3, 1]);
    expect(await ids("TITLE")).toEqual([2, 1, 3]);
    await user.cleanup();
  });
});

describe("text from the API on a terminal", () => {
  it("escapes control and bidi characters in every human output, and keeps them in --json", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const title = "red \u001b[31mALERT\u001b[0m\nsecond line \u202eevil";
    const description = "line one\nline \u001b]52;c;aGk=\u0007two\u009b";
    const added = await user.todo(["add", title, "-d", description, "-t", "x\u001b[1m"]);
    expect(added.code, added.stderr).toBe(0);
    const shownTitle = "red \\x1b[31mALERT\\x1b[0m\\nsecond line \\u202eevil";
    expect(added.stdout).toBe(`Added task 1 "${shownTitle}" (#x\\x1b[1m).\n`);

    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    const list = await user.todo(["list"]);
    expect(list.stdout).not.toMatch(unsafe);
    expect(list.stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^ID/),
      expect.stringContaining(`${shownTitle}  #x\\x1b[1m`),
      "1 pending task.",
    ]);
    const show = await user.todo(["show", "1"]);
    expect(show.stdout).not.toMatch(unsafe);
    expect(show.stdout).toContain(`#1  ${shownTitle}\n`);
    // A description keeps its lines; everything else in it is escaped.
    expect(show.stdout).toContain("\nline one\nline \\x1b]52;c;aGk=\\x07two\\x9b\n");
    expect((await user.todo(["done", "1"])).stdout).toBe(`Completed task 1 "${shownTitle}".\n`);

    const raw = Task.parse(await json(user, ["show", "1"]));
    expect(raw).toMatchObject({ title, description, tags: ["x\u001b[1m"] });
    await user.cleanup();
  });

  it("keeps whole titles when stdout is not a terminal, whatever COLUMNS says", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const title = `A long title ${"word ".repeat(25)}end`;
    await user.todo(["add", title, "-t", "home"]);
    for (const env of [{}, { COLUMNS: "300" }, { COLUMNS: "40" }] as Record<string, string>[]) {
      const list = await user.todo(["list"], { env });
      expect(list.stdout.split("\n")[1], JSON.stringify(env)).toMatch(
        new RegExp(`^1\\s+pending\\s+-\\s+-\\s+${title}  #home$`),
      );
    }
    await user.cleanup();
  });
});

describe("ending", () => {
  it("talks to the API over node:http, never fetch (whose WebAssembly compile kept every run ~60 ms past its output)", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const folder = await mkdtemp(join(tmpdir(), "todo-cli-fetch-"));
    const spy = join(folder, "spy.mjs");
    await writeFile(
      spy,
      `const real = globalThis.fetch;\nglobalThis.fetch = (...args) => { process.stderr.write("fetch was called\\n"); return real(...args); };\n`,
    );
    for (const args of [["add", "via http"], ["list"], ["done", "1"]]) {
      const result = await user.todo(args, {
        env: { NODE_OPTIONS: `--import=${pathToFileURL(spy).href}` },
      });
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 0,
        stderr: "",
      });
    }
    // The spy works: a script that does use fetch is caught.
    const control = await runTodoScript(spy);
    expect(control).toContain("fetch was called");
    await rm(folder, { recursive: true, force: true });
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
      ["edit", "1", "--due", "whenever"],
      ["frobnicate"],
    ]) {
      const result = await user.todo(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout, args.join(" ")).toBe("");
      expect(result.stderr, args.join(" ")).not.toBe("");
    }
    expect((await user.todo(["add", "x", "--due", "someday"])).stderr).toBe(
      '--due "someday" is not a date; use a date such as 2027-01-31, today, tomorrow, friday, next monday, dec 5, in 3 days, +3d.\n',
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
    // A TCP proxy that forwards the first `POST /api/v1/tasks/quick` to the API, lets the API create the
    // task, then cuts the connection before the answer arrives: the CLI sees a network error.
    proxy = createServer((client: Socket) => {
      const upstream = connect(Number(new URL(api.url).port), "127.0.0.1");
      let cut = false;
      client.on("data", (chunk) => {
        if (dropped === 0 && chunk.toString("latin1").startsWith("POST /api/v1/tasks/quick ")) {
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
