// Recurring tasks through the TaskService on a real database, with the clock fixed per case:
// completing moves the due date to the next occurrence after both the due date and the owner's
// today, reopen right after puts it back, exhausted rules complete for good, and a rule needs a
// due date. Property-based over random rules, zones and completion instants (fast-check).
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { todayIn } from "@todo/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleFrom } from "../recurrence.js";
import { failure } from "../testing.js";
import type { Actor } from "./auth-service.js";
import { TaskService } from "./task-service.js";

let db: TestDatabase;
let now = new Date("2027-01-01T12:00:00Z");
let tasks: TaskService;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  tasks = new TaskService(db, () => now);
});
afterAll(() => db.close());

async function userIn(timeZone: string): Promise<Actor> {
  const user = await db.users.insert({ email: `recurring${++counter}@example.com`, timeZone });
  return { userId: user.id };
}

const midnight = (date: string) => new Date(`${date}T00:00:00.000Z`);

describe("a recurring task", () => {
  it("needs a due date and a valid rule (422 on recurrence), on create, update and replace", async () => {
    const owner = await userIn("UTC");
    const noDate = await failure(tasks.create(owner, { title: "x", recurrence: "FREQ=DAILY" }));
    expect(noDate.code).toBe("validation_failed");
    expect(noDate.data.errors).toEqual([
      { path: "recurrence", message: "needs a dueDate, the day the rule starts from" },
    ]);
    const bad = await failure(
      tasks.create(owner, { title: "x", dueDate: "2027-01-01", recurrence: "FREQ=HOURLY" }),
    );
    expect(bad.data.errors?.[0]?.path).toBe("recurrence");
    const task = await tasks.create(owner, {
      title: "water plants",
      dueDate: "2027-01-04",
      recurrence: "freq=weekly;byday=mo",
    });
    expect(task).toMatchObject({
      recurrence: "FREQ=WEEKLY;BYDAY=MO",
      recurrenceText: "every week on Monday",
    });
    const cleared = await failure(tasks.update(owner, task.id, { dueDate: null }));
    expect(cleared.data.errors?.[0]?.path).toBe("recurrence");
    expect(
      (await failure(tasks.replace(owner, task.id, { title: "x", recurrence: "FREQ=DAILY" }))).code,
    ).toBe("validation_failed");
    // A rule alone is changed and cleared.
    const daily = await tasks.update(owner, task.id, { recurrence: "FREQ=DAILY" });
    expect(daily).toMatchObject({ recurrence: "FREQ=DAILY", recurrenceText: "every day" });
    expect(await tasks.update(owner, task.id, { recurrence: null })).toMatchObject({
      recurrence: null,
      dueDate: "2027-01-04",
    });
    await tasks.update(owner, task.id, { recurrence: "FREQ=DAILY" });
    // Both at once is fine: the task becomes a one-off without a date.
    const oneOff = await tasks.update(owner, task.id, { dueDate: null, recurrence: null });
    expect(oneOff).toMatchObject({ dueDate: null, recurrence: null, recurrenceText: null });
    const plain = await tasks.create(owner, { title: "plain" });
    expect(plain).toMatchObject({ recurrence: null, recurrenceText: null });
  });

  it("stays pending when completed, due on the next occurrence; reopen right after restores the date", async () => {
    const owner = await userIn("Europe/Berlin");
    now = new Date("2027-01-15T09:00:00Z");
    const task = await tasks.create(owner, {
      title: "pay rent",
      dueDate: "2027-02-01",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
    });
    const done = await tasks.setCompleted(owner, task.id, true);
    expect(done).toMatchObject({ completed: false, completedAt: null, dueDate: "2027-03-01" });
    expect(done.version).toBe(task.version + 1);
    const reopened = await tasks.setCompleted(owner, task.id, false);
    expect(reopened).toMatchObject({ completed: false, dueDate: "2027-02-01" });
    // Only once: a second reopen changes nothing.
    expect(await tasks.setCompleted(owner, task.id, false)).toEqual(reopened);
    // An edit in between is not undone by a reopen.
    await tasks.setCompleted(owner, task.id, true);
    await tasks.update(owner, task.id, { title: "pay the rent" });
    const edited = await tasks.update(owner, task.id, { dueDate: "2027-03-02" });
    expect(await tasks.setCompleted(owner, task.id, false)).toEqual(edited);
    // PATCH {completed} alone is the same completion and reopen.
    const patched = await tasks.update(owner, task.id, { completed: true });
    expect(patched).toMatchObject({ completed: false, dueDate: "2027-04-01" });
    expect(await tasks.update(owner, task.id, { completed: false })).toMatchObject({
      completed: false,
      dueDate: "2027-03-02",
    });
  });

  it("completes for good when its rule is exhausted (COUNT), and reopens like any task", async () => {
    const owner = await userIn("UTC");
    now = new Date("2027-05-01T08:00:00Z");
    const task = await tasks.create(owner, {
      title: "pill",
      dueDate: "2027-05-01",
      recurrence: "FREQ=DAILY;COUNT=2",
    });
    expect(await tasks.setCompleted(owner, task.id, true)).toMatchObject({
      completed: false,
      dueDate: "2027-05-02",
    });
    const last = await tasks.setCompleted(owner, task.id, true);
    expect(last).toMatchObject({ completed: true, dueDate: "2027-05-02" });
    expect(last.completedAt).not.toBeNull();
    expect(await tasks.setCompleted(owner, task.id, true)).toEqual(last);
    expect(await tasks.setCompleted(owner, task.id, false)).toMatchObject({
      completed: false,
      dueDate: "2027-05-02",
    });
  });

  it("honours If-Match: a stale version is 412 and moves nothing", async () => {
    const owner = await userIn("UTC");
    const task = await tasks.create(owner, {
      title: "x",
      dueDate: "2027-05-01",
      recurrence: "FREQ=DAILY",
    });
    const stale = await failure(tasks.setCompleted(owner, task.id, true, { ifMatch: 99 }));
    expect(stale.code).toBe("precondition_failed");
    expect(await tasks.get(owner, task.id)).toEqual(task);
    const done = await tasks.setCompleted(owner, task.id, true, { ifMatch: task.version });
    expect(done.version).toBe(task.version + 1);
  });

  // Each case: a daily task due the day before a change, completed at an instant near the
  // owner's midnight; the next date follows their calendar, whatever the server's.
  const dstCases = [
    // New York springs forward on 2027-03-14 at 07:00 UTC, falls back on 2027-11-07 at 06:00 UTC.
    ["America/New_York", "2027-03-13", "2027-03-14T06:59:00Z", "2027-03-15"],
    ["America/New_York", "2027-03-13", "2027-03-14T07:30:00Z", "2027-03-15"],
    ["America/New_York", "2027-03-14", "2027-03-15T03:59:59Z", "2027-03-15"],
    ["America/New_York", "2027-03-14", "2027-03-15T04:00:00Z", "2027-03-16"],
    ["America/New_York", "2027-11-06", "2027-11-07T05:30:00Z", "2027-11-08"],
    ["America/New_York", "2027-11-06", "2027-11-07T06:30:00Z", "2027-11-08"],
    ["America/New_York", "2027-11-07", "2027-11-08T04:59:59Z", "2027-11-08"],
    ["America/New_York", "2027-11-07", "2027-11-08T05:00:00Z", "2027-11-09"],
    // Berlin: 2027-03-28 and 2027-10-31 at 01:00 UTC.
    ["Europe/Berlin", "2027-03-27", "2027-03-28T00:59:00Z", "2027-03-29"],
    ["Europe/Berlin", "2027-03-28", "2027-03-28T21:59:59Z", "2027-03-29"],
    ["Europe/Berlin", "2027-03-28", "2027-03-28T22:00:00Z", "2027-03-30"],
    ["Europe/Berlin", "2027-10-31", "2027-10-31T22:59:59Z", "2027-11-01"],
    ["Europe/Berlin", "2027-10-31", "2027-10-31T23:00:00Z", "2027-11-02"],
    // UTC+14 and UTC−12 around their midnights.
    ["Pacific/Kiritimati", "2027-03-10", "2027-03-10T09:59:59Z", "2027-03-11"],
    ["Pacific/Kiritimati", "2027-03-10", "2027-03-10T10:00:00Z", "2027-03-12"],
    ["Etc/GMT+12", "2027-03-10", "2027-03-11T11:59:59Z", "2027-03-11"],
    ["Etc/GMT+12", "2027-03-10", "2027-03-11T12:00:00Z", "2027-03-12"],
  ] as const;
  for (const [zone, dueDate, at, expected] of dstCases) {
    it(`completed at ${at} in ${zone}, a daily task due ${dueDate} moves to ${expected}`, async () => {
      const owner = await userIn(zone);
      const task = await tasks.create(owner, { title: "x", dueDate, recurrence: "FREQ=DAILY" });
      now = new Date(at);
      expect((await tasks.setCompleted(owner, task.id, true)).dueDate).toBe(expected);
    });
  }
});

describe("completion, property-based", () => {
  const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
  const ZONES = [
    "UTC",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/St_Johns",
  ];
  /** Rules from parts whose meaning is checked below without the library. */
  const rules = fc
    .record({
      freq: fc.constantFrom("DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
      interval: fc.integer({ min: 1, max: 3 }),
      byday: fc.option(fc.subarray([...WEEKDAYS], { minLength: 1 }), { nil: undefined }),
      bymonthday: fc.option(fc.constantFrom(1, 15, 28, 29, 30, 31, -1), { nil: undefined }),
    })
    .filter((rule) => !(rule.byday && rule.bymonthday))
    .map((rule) => ({
      ...rule,
      text: [
        `FREQ=${rule.freq}`,
        rule.interval > 1 ? `INTERVAL=${rule.interval}` : "",
        rule.byday ? `BYDAY=${rule.byday.join(",")}` : "",
        rule.bymonthday ? `BYMONTHDAY=${rule.bymonthday}` : "",
      ]
        .filter(Boolean)
        .join(";"),
    }));
  const day = fc
    .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2032, 11, 31) })
    .map((ms) => new Date(ms).toISOString().slice(0, 10));
  const instant = fc
    .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2033, 0, 1) })
    .map((ms) => new Date(ms));

  it("moves the due date to the first occurrence after both the due date and today, and reopen restores it", async () => {
    const owners = new Map<string, Actor>();
    for (const zone of ZONES) owners.set(zone, await userIn(zone));
    await fc.assert(
      fc.asyncProperty(
        rules,
        fc.constantFrom(...ZONES),
        day,
        instant,
        async (rule, zone, dueDate, at) => {
          const owner = owners.get(zone)!;
          const task = await tasks.create(owner, { title: "p", dueDate, recurrence: rule.text });
          now = at;
          const today = todayIn(zone, at);
          const done = await tasks.setCompleted(owner, task.id, true);
          const after = dueDate > today ? dueDate : today;
          const expanded = ruleFrom(task.recurrence!, dueDate);
          if (done.completed) {
            // Exhausted: nothing after `after` (only a rule whose dates never come again).
            expect(expanded.after(midnight(after))).toBeNull();
            return;
          }
          const next = done.dueDate!;
          expect(next > dueDate).toBe(true);
          expect(next > today).toBe(true);
          // An occurrence of the rule, by its parts…
          const date = midnight(next);
          if (rule.byday) expect(rule.byday).toContain(WEEKDAYS[(date.getUTCDay() + 6) % 7]);
          if (rule.bymonthday && rule.bymonthday > 0)
            expect(date.getUTCDate()).toBe(rule.bymonthday);
          if (rule.bymonthday === -1)
            expect(new Date(date.getTime() + 86_400_000).getUTCDate()).toBe(1);
          if (rule.freq === "DAILY" && !rule.byday)
            expect(
              ((date.getTime() - midnight(dueDate).getTime()) / 86_400_000) % rule.interval,
            ).toBe(0);
          // …and by the library's expansion, with none skipped between.
          expect(expanded.between(date, date, true)).toHaveLength(1);
          expect(expanded.between(midnight(after), date, false)).toEqual([]);
          const reopened = await tasks.setCompleted(owner, task.id, false);
          expect(reopened.dueDate).toBe(dueDate);
          expect(reopened.completed).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });
});
