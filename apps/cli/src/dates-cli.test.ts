// `todo add` through quick add, date options read by chrono-node, recurrence on add and edit, and
// `done`/`undo` on a recurring task: the built binary against a live API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todayIn } from "@todo/contract";
import { startTestApi, type TestApi } from "@todo/api/testing";
import { createCliUser } from "./testing/cli.js";
import { filesLoadedBy } from "./testing/loads.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** Today in UTC, the zone the test users live in (the harness runs the CLI with TZ=UTC). */
const today = () => todayIn("UTC");

describe("todo add with quick add", () => {
  it("reads the words, prints what it understood, and done keeps a recurring task pending on its next date", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const added = await user.todo([
      "add",
      "Pay",
      "rent",
      "every",
      "month",
      "on",
      "the",
      "1st",
      "#home",
      "!high",
    ]);
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    const first =
      /^Added task 1 "Pay rent" \(due (\d{4}-\d\d-01), every month on the 1st, #home\)\.\n$/.exec(
        added.stdout,
      );
    expect(first, added.stdout).not.toBeNull();
    const due = first![1]!;
    expect(due >= today()).toBe(true);

    const done = await user.todo(["done", "1"]);
    expect(done.code, done.stderr).toBe(0);
    const next = /next due (\d{4}-\d\d-01)\.$/.exec(done.stdout.trim());
    expect(next, done.stdout).not.toBeNull();
    expect(next![1]! > due).toBe(true);
    const shown = JSON.parse((await user.todo(["show", "1", "--json"])).stdout);
    expect(shown).toMatchObject({ completed: false, dueDate: next![1], priority: "high" });

    const undone = await user.todo(["undo", "1"]);
    expect(undone.stdout).toBe(`Reopened task 1 "Pay rent"; due ${due} again.\n`);
    expect((await user.todo(["undo", "1"])).stdout).toBe("Task 1 was already pending.\n");
    await user.cleanup();
  });

  it("leaves the reading to the API: add loads what list loads, not chrono-node, zod or the contract", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const program = ["bin.js", "program.js"];
    expect(
      await filesLoadedBy(["add", "Buy", "milk", "tomorrow", "#home", "!high"], user.env),
    ).toEqual(program);
    expect(await filesLoadedBy(["list"], user.env)).toEqual(program);
    const listed = JSON.parse((await user.todo(["list", "--json"])).stdout) as {
      data: { title: string; tags: string[] }[];
    };
    expect(listed.data).toMatchObject([{ title: "Buy milk", tags: ["home"] }]);
    await user.cleanup();
  });

  it("keeps titles that only look like dates, takes --literal words as typed, and lets options win", async () => {
    const user = await createCliUser(api.url, { signup: true });
    expect((await user.todo(["add", "Read", "1984"])).stdout).toBe('Added task 1 "Read 1984".\n');
    expect((await user.todo(["add", "--literal", "Buy", "milk", "tomorrow", "#x"])).stdout).toBe(
      'Added task 2 "Buy milk tomorrow #x".\n',
    );
    const added = await user.todo([
      "add",
      "Call",
      "mom",
      "tomorrow",
      "!low",
      "--due",
      "2030-01-02",
      "-p",
      "high",
    ]);
    expect(added.stdout).toBe('Added task 3 "Call mom" (due 2030-01-02).\n');
    const task = JSON.parse((await user.todo(["show", "3", "--json"])).stdout);
    expect(task).toMatchObject({ dueDate: "2030-01-02", priority: "high" });
    await user.cleanup();
  });

  it("reads --due as chrono-node does, and refuses an unreadable date with exit 2, creating nothing", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const json = JSON.parse(
      (await user.todo(["add", "x", "--due", "2031-02-03", "--json"])).stdout,
    );
    expect(json.dueDate).toBe("2031-02-03");
    const bad = await user.todo(["add", "y", "--due", "someday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      '--due "someday" is not a date; use a date such as 2027-01-31, today, tomorrow, friday, next monday, dec 5, in 3 days, +3d.\n',
    );
    const list = JSON.parse((await user.todo(["list", "--all", "--json"])).stdout);
    expect(list.data).toHaveLength(1);
    await user.cleanup();
  });

  it("sets and clears a recurrence with --every, --recurrence and --no-recurrence", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const added = await user.todo(["add", "Gym", "--every", "monday", "--due", "2031-01-06"]);
    expect(added.stdout).toBe('Added task 1 "Gym" (due 2031-01-06, every week on Monday).\n');
    const edited = await user.todo([
      "edit",
      "1",
      "--recurrence",
      "FREQ=WEEKLY;BYDAY=TU",
      "--due",
      "2031-01-07",
      "--json",
    ]);
    expect(JSON.parse(edited.stdout)).toMatchObject({
      recurrence: "FREQ=WEEKLY;BYDAY=TU",
      dueDate: "2031-01-07",
    });
    const bad = await user.todo(["edit", "1", "--every", "blue moon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--every "blue moon" is not a recurrence');
    const cleared = await user.todo(["edit", "1", "--no-recurrence", "--json"]);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ recurrence: null, recurrenceText: null });
    await user.cleanup();
  });
});
