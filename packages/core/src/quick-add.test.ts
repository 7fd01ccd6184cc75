// The quick-add grammar, phrase by phrase, on a fixed today (Tuesday 2026-12-01): what each line
// gives as title, due date, rule, tags, priority and project. Titles that only look like dates
// stay titles.
import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import { parseQuickAdd, type QuickAddParts } from "./quick-add.js";

const TODAY = "2026-12-01";

/** The parse of a plain title: nothing but the title understood. */
const plain = (title: string): QuickAddParts => ({
  title,
  dueDate: null,
  recurrence: null,
  tags: [],
  priority: null,
  project: null,
});

const PHRASES: readonly [text: string, expected: QuickAddParts][] = [
  ["Buy milk", plain("Buy milk")],
  // Titles that only look like dates.
  ["Read 1984", plain("Read 1984")],
  ["Call May", plain("Call May")],
  ["Buy 2 apples", plain("Buy 2 apples")],
  ["Watch 24", plain("Watch 24")],
  ["Pay 50% deposit", plain("Pay 50% deposit")],
  ["Meeting at 5pm", plain("Meeting at 5pm")],
  ["Buy milk !urgent", plain("Buy milk !urgent")],
  ["March of the penguins", plain("March of the penguins")],
  ["Buy 2m of cable", plain("Buy 2m of cable")],
  ["Sleep 8h", plain("Sleep 8h")],
  ["Call Bob +3d", { ...plain("Call Bob"), dueDate: "2026-12-04" }],
  // Dates.
  ["Buy milk tomorrow", { ...plain("Buy milk"), dueDate: "2026-12-02" }],
  ["Call mom next friday", { ...plain("Call mom"), dueDate: "2026-12-11" }],
  ["Dentist dec 5", { ...plain("Dentist"), dueDate: "2026-12-05" }],
  ["File taxes apr 15", { ...plain("File taxes"), dueDate: "2027-04-15" }],
  ["Renew passport in 3 days", { ...plain("Renew passport"), dueDate: "2026-12-04" }],
  ["Pay rent on friday", { ...plain("Pay rent"), dueDate: "2026-12-04" }],
  ["Call Anna sat", { ...plain("Call Anna"), dueDate: "2026-12-05" }],
  ["Submit report by 2027-01-31", { ...plain("Submit report"), dueDate: "2027-01-31" }],
  ["Plan trip next week", { ...plain("Plan trip"), dueDate: "2026-12-08" }],
  ["Plan trip in 2 weeks", { ...plain("Plan trip"), dueDate: "2026-12-15" }],
  ["Email 3 clients tomorrow", { ...plain("Email 3 clients"), dueDate: "2026-12-02" }],
  ["Dinner with May on friday", { ...plain("Dinner with May"), dueDate: "2026-12-04" }],
  ["Clean desk today !low", { ...plain("Clean desk"), dueDate: TODAY, priority: "low" }],
  // Tags, priority, project.
  [
    "Write essay #school #School #writing",
    { ...plain("Write essay"), tags: ["school", "writing"] },
  ],
  [
    "Fix bug !medium #work tomorrow",
    { ...plain("Fix bug"), dueDate: "2026-12-02", tags: ["work"], priority: "medium" },
  ],
  ["Buy milk +Groceries", { ...plain("Buy milk"), project: "Groceries" }],
  ["Ship it !low !high", { ...plain("Ship it"), priority: "high" }],
  ["Email bob@example.com about #1", { ...plain("Email bob@example.com about"), tags: ["1"] }],
  // Recurrence; without a date, the first occurrence from today.
  [
    "Pay rent every month on the 1st +bills #home !high",
    {
      title: "Pay rent",
      dueDate: TODAY,
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      tags: ["home"],
      priority: "high",
      project: "bills",
    },
  ],
  [
    "Take vitamins every day",
    { ...plain("Take vitamins"), dueDate: TODAY, recurrence: "FREQ=DAILY" },
  ],
  ["Take vitamins daily", { ...plain("Take vitamins"), dueDate: TODAY, recurrence: "FREQ=DAILY" }],
  [
    "Standup every weekday",
    { ...plain("Standup"), dueDate: TODAY, recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" },
  ],
  [
    "Stretch every weekend",
    { ...plain("Stretch"), dueDate: "2026-12-05", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
  ],
  [
    "Gym every monday",
    { ...plain("Gym"), dueDate: "2026-12-07", recurrence: "FREQ=WEEKLY;BYDAY=MO" },
  ],
  [
    "Gym every mon and thu",
    { ...plain("Gym"), dueDate: "2026-12-03", recurrence: "FREQ=WEEKLY;BYDAY=MO,TH" },
  ],
  [
    "Run 5k every sunday",
    { ...plain("Run 5k"), dueDate: "2026-12-06", recurrence: "FREQ=WEEKLY;BYDAY=SU" },
  ],
  [
    "Water plants every 2 weeks",
    { ...plain("Water plants"), dueDate: TODAY, recurrence: "FREQ=WEEKLY;INTERVAL=2" },
  ],
  [
    "Backup every other week",
    { ...plain("Backup"), dueDate: TODAY, recurrence: "FREQ=WEEKLY;INTERVAL=2" },
  ],
  [
    "Pay insurance every 3 months",
    { ...plain("Pay insurance"), dueDate: TODAY, recurrence: "FREQ=MONTHLY;INTERVAL=3" },
  ],
  [
    "Pay card every month on the 15th",
    { ...plain("Pay card"), dueDate: "2026-12-15", recurrence: "FREQ=MONTHLY;BYMONTHDAY=15" },
  ],
  [
    "Newsletter every 1st",
    { ...plain("Newsletter"), dueDate: TODAY, recurrence: "FREQ=MONTHLY;BYMONTHDAY=1" },
  ],
  [
    "Rent every last day of the month",
    { ...plain("Rent"), dueDate: "2026-12-31", recurrence: "FREQ=MONTHLY;BYMONTHDAY=-1" },
  ],
  ["Check oil every month", { ...plain("Check oil"), dueDate: TODAY, recurrence: "FREQ=MONTHLY" }],
  ["Birthday every year", { ...plain("Birthday"), dueDate: TODAY, recurrence: "FREQ=YEARLY" }],
  [
    "Buy flowers every feb 14",
    {
      ...plain("Buy flowers"),
      dueDate: "2027-02-14",
      recurrence: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=14",
    },
  ],
  // A rule with a date: the date starts it.
  [
    "Sync every day starting dec 10",
    { ...plain("Sync"), dueDate: "2026-12-10", recurrence: "FREQ=DAILY" },
  ],
  // Quoted text stays as typed.
  ['Review "next friday" notes', plain("Review next friday notes")],
  ['"Buy milk tomorrow"', plain("Buy milk tomorrow")],
  ['Read "#1 #hits" !low', { ...plain("Read #1 #hits"), priority: "low" }],
];

describe("quick add", () => {
  it(`reads ${PHRASES.length} phrases as expected`, async () => {
    expect(PHRASES.length).toBeGreaterThanOrEqual(40);
    for (const [text, expected] of PHRASES)
      expect(await parseQuickAdd(text, TODAY), text).toEqual(expected);
  });

  it("reads dates from the day it is given, the owner's today", async () => {
    expect((await parseQuickAdd("x tomorrow", "2027-02-28")).dueDate).toBe("2027-03-01");
    expect((await parseQuickAdd("x tomorrow", "2028-02-28")).dueDate).toBe("2028-02-29");
    expect((await parseQuickAdd("x every monday", "2027-03-01")).dueDate).toBe("2027-03-01");
  });

  it("refuses a line that leaves no title (422 on text)", async () => {
    for (const text of ["#home !high", "tomorrow", "every day +work", '""']) {
      const error = await parseQuickAdd(text, TODAY).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error, text).toBeInstanceOf(DomainError);
      expect((error as DomainError).data.errors?.[0]?.path).toBe("text");
    }
  });
});
