// "Today" is the owner's, not the server's: overdue turns at midnight in the owner's time zone.
// The clock is fixed per test (no wall clock), on a real database.
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { TaskListQuery } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./auth-service.js";
import { TaskService } from "./task-service.js";

let db: TestDatabase;
let now = new Date();
let tasks: TaskService;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  tasks = new TaskService(db, () => now);
});
afterAll(() => db.close());

async function userIn(timeZone: string): Promise<Actor> {
  const user = await db.users.insert({ email: `zone${++counter}@example.com`, timeZone });
  return { userId: user.id };
}

/** The ids of the owner's tasks that `overdue=<value>` lists at instant `at`. */
async function overdueAt(actor: Actor, at: string, value: "true" | "false"): Promise<number[]> {
  now = new Date(at);
  const page = await tasks.list(actor, TaskListQuery.parse({ overdue: value, sort: "dueDate" }));
  return page.data.map((task) => task.id);
}

describe("overdue in the owner's time zone", () => {
  // A task due 2027-03-10 turns overdue when 2027-03-11 begins where its owner lives.
  const cases = [
    // UTC+14: the owner's midnight is 10:00 UTC the day before, long before the server's.
    { zone: "Pacific/Kiritimati", before: "2027-03-10T09:59:59.999Z", at: "2027-03-10T10:00:00Z" },
    // UTC−12: the owner's midnight is 12:00 UTC, half a day after the server's.
    { zone: "Etc/GMT+12", before: "2027-03-11T11:59:59.999Z", at: "2027-03-11T12:00:00Z" },
    { zone: "UTC", before: "2027-03-10T23:59:59.999Z", at: "2027-03-11T00:00:00Z" },
  ];
  for (const { zone, before, at } of cases) {
    it(`flips at midnight in ${zone}, not the server's`, async () => {
      const owner = await userIn(zone);
      const due = await tasks.create(owner, { title: "file taxes", dueDate: "2027-03-10" });
      const later = await tasks.create(owner, { title: "later", dueDate: "2027-03-11" });
      const done = await tasks.create(owner, {
        title: "done",
        dueDate: "2027-03-09",
        completed: true,
      });
      expect(await overdueAt(owner, before, "true")).toEqual([]);
      expect(await overdueAt(owner, before, "false")).toEqual([done.id, due.id, later.id]);
      expect(await overdueAt(owner, at, "true")).toEqual([due.id]);
      expect(await overdueAt(owner, at, "false")).toEqual([done.id, later.id]);
    });
  }

  it("reads each owner's zone: at one instant, the same due date is overdue for one and not the other", async () => {
    const east = await userIn("Pacific/Kiritimati");
    const west = await userIn("Etc/GMT+12");
    for (const owner of [east, west])
      await tasks.create(owner, { title: "x", dueDate: "2027-03-10" });
    // 00:00 UTC on the 11th: the 11th, 14:00 at UTC+14; the 10th, 12:00 at UTC−12.
    expect(await overdueAt(east, "2027-03-11T00:00:00Z", "true")).toHaveLength(1);
    expect(await overdueAt(west, "2027-03-11T00:00:00Z", "true")).toHaveLength(0);
    expect(await tasks.today(east)).toBe("2027-03-11");
    expect(await tasks.today(west)).toBe("2027-03-10");
  });

  it("follows a change of zone at once", async () => {
    const owner = await userIn("Etc/GMT+12");
    const task = await tasks.create(owner, { title: "x", dueDate: "2027-03-10" });
    expect(await overdueAt(owner, "2027-03-11T06:00:00Z", "true")).toEqual([]);
    await db.users.updateProfile(owner.userId, { timeZone: "Pacific/Kiritimati" });
    expect(await overdueAt(owner, "2027-03-11T06:00:00Z", "true")).toEqual([task.id]);
  });
});

describe("quick add in the owner's time zone", () => {
  it("reads `tomorrow` from the owner's today, and a rule's first date too", async () => {
    const east = await userIn("Pacific/Kiritimati");
    const west = await userIn("Etc/GMT+12");
    // 2027-03-11 00:30 UTC: the 11th at UTC+14, still the 10th at UTC−12.
    now = new Date("2027-03-11T00:30:00Z");
    const text = "Call the bank tomorrow #money";
    expect(await tasks.parseQuickAdd(east, { text })).toMatchObject({ dueDate: "2027-03-12" });
    expect(await tasks.parseQuickAdd(west, { text })).toMatchObject({ dueDate: "2027-03-11" });
    const daily = await tasks.quickAdd(west, { text: "Stretch every day" });
    expect(daily.task).toMatchObject({ dueDate: "2027-03-10", recurrence: "FREQ=DAILY" });
    expect(daily.parsed).toEqual({
      title: "Stretch",
      dueDate: "2027-03-10",
      recurrence: "FREQ=DAILY",
      recurrenceText: "every day",
      tags: [],
      priority: null,
      project: null,
    });
  });
});
