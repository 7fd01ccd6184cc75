// The recurrence rules over calendar dates, without a database: normalising, reading aloud, and
// the next occurrence at month ends, leap days and across daylight saving changes.
import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import {
  firstOccurrence,
  nextOccurrence,
  normalizeRecurrence,
  recurrenceText,
} from "./recurrence.js";

describe("normalizeRecurrence", () => {
  it("accepts RFC 5545 RRULEs, DAILY to YEARLY, in any case and with an RRULE: prefix", () => {
    expect(normalizeRecurrence("FREQ=WEEKLY;BYDAY=MO")).toBe("FREQ=WEEKLY;BYDAY=MO");
    expect(normalizeRecurrence(" rrule:freq=monthly;bymonthday=15 ")).toBe(
      "FREQ=MONTHLY;BYMONTHDAY=15",
    );
    expect(normalizeRecurrence("FREQ=DAILY;INTERVAL=2;COUNT=5")).toBe(
      "FREQ=DAILY;INTERVAL=2;COUNT=5",
    );
    expect(normalizeRecurrence("FREQ=YEARLY;UNTIL=20300101T000000Z")).toBe(
      "FREQ=YEARLY;UNTIL=20300101T000000Z",
    );
  });

  it("refuses what is not a rule over dates, naming the field", () => {
    for (const rule of [
      "every monday",
      "FREQ=HOURLY",
      "FREQ=MINUTELY;INTERVAL=5",
      "FREQ=SOMETIMES",
      "BYDAY=MO",
      "DTSTART:20270101T000000Z\nRRULE:FREQ=DAILY",
      "FREQ=DAILY;DTSTART=20270101",
      "FREQ=DAILY;BYHOUR=9",
      "FREQ=DAILY;TZID=Europe/Berlin",
      "FREQ=DAILY;INTERVAL=0",
      "FREQ=DAILY;COUNT=0",
      "FREQ=WEEKLY;BYDAY=XX",
      "FREQ=DAILY;FOO=1",
    ]) {
      let error: unknown;
      try {
        normalizeRecurrence(rule);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, rule).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("validation_failed");
      expect((error as DomainError).data.errors?.[0]?.path).toBe("recurrence");
    }
  });
});

describe("recurrenceText", () => {
  it("reads rules as people say them", () => {
    expect(recurrenceText("FREQ=WEEKLY;BYDAY=MO")).toBe("every week on Monday");
    expect(recurrenceText("FREQ=DAILY")).toBe("every day");
    expect(recurrenceText("FREQ=MONTHLY;BYMONTHDAY=15")).toBe("every month on the 15th");
    expect(recurrenceText("FREQ=WEEKLY;INTERVAL=2")).toBe("every 2 weeks");
  });
});

describe("nextOccurrence", () => {
  it("skips months without a 31st, as a calendar does; BYMONTHDAY=-1 takes each month's last day", () => {
    const monthly31 = "FREQ=MONTHLY;BYMONTHDAY=31";
    expect(nextOccurrence(monthly31, "2027-01-31", "2027-01-31", "2027-01-31")).toBe("2027-03-31");
    expect(nextOccurrence(monthly31, "2027-01-31", "2027-03-31", "2027-03-31")).toBe("2027-05-31");
    // A plain monthly rule started on the 31st keeps to the 31st.
    expect(nextOccurrence("FREQ=MONTHLY", "2027-01-31", "2027-01-31", "2027-01-31")).toBe(
      "2027-03-31",
    );
    const last = "FREQ=MONTHLY;BYMONTHDAY=-1";
    expect(nextOccurrence(last, "2027-01-31", "2027-01-31", "2027-01-31")).toBe("2027-02-28");
    expect(nextOccurrence(last, "2027-01-31", "2027-02-28", "2027-02-28")).toBe("2027-03-31");
    expect(nextOccurrence(last, "2027-01-31", "2027-03-31", "2027-04-01")).toBe("2027-04-30");
    expect(nextOccurrence(last, "2028-01-31", "2028-01-31", "2028-01-31")).toBe("2028-02-29");
  });

  it("keeps 29 February to leap years, and a yearly last day of February to every year", () => {
    expect(nextOccurrence("FREQ=YEARLY", "2028-02-29", "2028-02-29", "2028-02-29")).toBe(
      "2032-02-29",
    );
    const lastOfFebruary = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1";
    expect(nextOccurrence(lastOfFebruary, "2028-02-29", "2028-02-29", "2028-02-29")).toBe(
      "2029-02-28",
    );
    expect(nextOccurrence("FREQ=MONTHLY", "2028-01-29", "2028-01-29", "2028-01-29")).toBe(
      "2028-02-29",
    );
    expect(nextOccurrence("FREQ=MONTHLY", "2027-01-29", "2027-01-29", "2027-01-29")).toBe(
      "2027-03-29",
    );
  });

  it("steps over daylight saving changes by whole dates (a due date has no clock time)", () => {
    // 2027-03-14 and 2027-11-07: New York's changes; 2027-03-28 and 2027-10-31: Berlin's.
    expect(nextOccurrence("FREQ=WEEKLY;BYDAY=SU", "2027-03-07", "2027-03-07", "2027-03-07")).toBe(
      "2027-03-14",
    );
    expect(nextOccurrence("FREQ=DAILY", "2027-03-13", "2027-03-13", "2027-03-13")).toBe(
      "2027-03-14",
    );
    expect(nextOccurrence("FREQ=DAILY", "2027-11-06", "2027-11-06", "2027-11-06")).toBe(
      "2027-11-07",
    );
    expect(nextOccurrence("FREQ=DAILY", "2027-03-27", "2027-03-27", "2027-03-28")).toBe(
      "2027-03-29",
    );
    expect(nextOccurrence("FREQ=WEEKLY", "2027-10-24", "2027-10-24", "2027-10-24")).toBe(
      "2027-10-31",
    );
  });

  it("is after both the due date and today, counts COUNT from the rule's start, and ends with UNTIL", () => {
    // Overdue: the next date after today, not the one after the stale due date.
    expect(nextOccurrence("FREQ=WEEKLY;BYDAY=MO", "2027-01-04", "2027-01-04", "2027-02-10")).toBe(
      "2027-02-15",
    );
    // Done early: the next date after the due date.
    expect(nextOccurrence("FREQ=DAILY", "2027-05-01", "2027-05-10", "2027-05-02")).toBe(
      "2027-05-11",
    );
    const thrice = "FREQ=DAILY;COUNT=3";
    expect(nextOccurrence(thrice, "2027-05-01", "2027-05-01", "2027-05-01")).toBe("2027-05-02");
    expect(nextOccurrence(thrice, "2027-05-01", "2027-05-02", "2027-05-01")).toBe("2027-05-03");
    expect(nextOccurrence(thrice, "2027-05-01", "2027-05-03", "2027-05-01")).toBeUndefined();
    const until = "FREQ=WEEKLY;UNTIL=20270520T000000Z";
    expect(nextOccurrence(until, "2027-05-06", "2027-05-13", "2027-05-13")).toBe("2027-05-20");
    expect(nextOccurrence(until, "2027-05-06", "2027-05-20", "2027-05-13")).toBeUndefined();
  });
});

describe("firstOccurrence", () => {
  it("is the first date of the rule on or after the day given", () => {
    // 2027-01-06 is a Wednesday.
    expect(firstOccurrence("FREQ=WEEKLY;BYDAY=MO", "2027-01-06")).toBe("2027-01-11");
    expect(firstOccurrence("FREQ=WEEKLY;BYDAY=WE", "2027-01-06")).toBe("2027-01-06");
    expect(firstOccurrence("FREQ=MONTHLY;BYMONTHDAY=1", "2027-01-06")).toBe("2027-02-01");
  });
});
