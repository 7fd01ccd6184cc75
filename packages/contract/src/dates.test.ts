import { describe, expect, it } from "vitest";
import { canonicalTimeZone, findDates, readDate, TimeZone, todayIn } from "./dates.js";
import { findRecurrence, readRecurrencePhrase } from "./recurrence-phrases.js";

describe("time zones", () => {
  it("accepts IANA names in their canonical spelling and refuses the rest", () => {
    expect(TimeZone.parse(" europe/berlin ")).toBe("Europe/Berlin");
    expect(TimeZone.parse("Etc/GMT+12")).toBe("Etc/GMT+12");
    expect(TimeZone.parse("utc")).toBe("UTC");
    for (const name of ["Mars/Olympus", "+02:00", "", "UTC+2", "../etc/passwd", "a".repeat(65)])
      expect(TimeZone.safeParse(name).success, name).toBe(false);
    expect(canonicalTimeZone("Nowhere/City")).toBeUndefined();
  });

  it("gives the calendar date where the zone is, at one instant", () => {
    const instant = new Date("2027-03-11T00:30:00Z");
    expect(todayIn("UTC", instant)).toBe("2027-03-11");
    expect(todayIn("Pacific/Kiritimati", instant)).toBe("2027-03-11");
    expect(todayIn("Etc/GMT+12", instant)).toBe("2027-03-10");
    expect(todayIn("America/New_York", instant)).toBe("2027-03-10");
    expect(todayIn("Asia/Kolkata", new Date("2027-03-10T18:29:59Z"))).toBe("2027-03-10");
    expect(todayIn("Asia/Kolkata", new Date("2027-03-10T18:30:00Z"))).toBe("2027-03-11");
  });
});

describe("the date reader", () => {
  // Tuesday 2026-12-01.
  const today = "2026-12-01";

  it("reads one date as a person types it, relative to the given today", async () => {
    const cases: [string, string][] = [
      ["2027-01-31", "2027-01-31"],
      ["today", today],
      ["tomorrow", "2026-12-02"],
      ["friday", "2026-12-04"],
      ["next friday", "2026-12-11"],
      ["dec 5", "2026-12-05"],
      ["May 5", "2027-05-05"],
      ["in 3 days", "2026-12-04"],
      ["+3d", "2026-12-04"],
      ["+2w", "2026-12-15"],
      ["+1m", "2027-01-01"],
      ["next monday", "2026-12-07"],
      ["Dec 25", "2026-12-25"],
      ["eow", "2026-12-06"],
      ["end of week", "2026-12-06"],
      ["eom", "2026-12-31"],
      ["end of the month", "2026-12-31"],
      ["eoy", "2026-12-31"],
    ];
    for (const [input, expected] of cases)
      expect(await readDate(input, today), input).toBe(expected);
    expect(await readDate("tomorrow", "2028-02-28")).toBe("2028-02-29");
    expect(await readDate("eom", "2028-02-03")).toBe("2028-02-29");
    expect(await readDate("eow", "2026-12-06"), "on a Sunday").toBe("2026-12-06");
  });

  it("refuses what names no day, or more than a date", async () => {
    for (const input of [
      "May",
      "1984",
      "at 5pm",
      "someday",
      "",
      "tomorrow and friday",
      "2026-02-30",
    ])
      expect(await readDate(input, today), input).toBeUndefined();
  });

  it("finds dates inside a text, with where they are", async () => {
    expect(await findDates("Call mom next friday", today)).toEqual([
      { index: 9, text: "next friday", date: "2026-12-11" },
    ]);
    expect(await findDates("Read 1984", today)).toEqual([]);
  });
});

describe("recurrence phrases", () => {
  it("reads a whole phrase as an RRULE, and nothing else", () => {
    expect(readRecurrencePhrase("every monday")).toBe("FREQ=WEEKLY;BYDAY=MO");
    expect(readRecurrencePhrase("every month on the 15th")).toBe("FREQ=MONTHLY;BYMONTHDAY=15");
    expect(readRecurrencePhrase("every 2 weeks")).toBe("FREQ=WEEKLY;INTERVAL=2");
    expect(readRecurrencePhrase("Every Weekday")).toBe("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    expect(readRecurrencePhrase("every blue moon")).toBeUndefined();
    expect(readRecurrencePhrase("every monday please")).toBeUndefined();
    expect(findRecurrence("Gym every mon and thu #fit")).toEqual({
      index: 4,
      text: "every mon and thu",
      rule: "FREQ=WEEKLY;BYDAY=MO,TH",
    });
  });
});
