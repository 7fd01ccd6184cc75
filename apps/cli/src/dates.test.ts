import { describe, expect, it } from "vitest";
import { parseDueDate } from "./dates.js";
import { UsageError } from "./errors.js";

// Saturday 2026-11-21, 15:00 local time.
const now = new Date(2026, 10, 21, 15, 0, 0);

describe("parseDueDate", () => {
  it.each([
    ["2026-12-01", "2026-12-01"],
    ["2028-02-29", "2028-02-29"],
    ["today", "2026-11-21"],
    ["Tomorrow", "2026-11-22"],
    ["yesterday", "2026-11-20"],
    ["monday", "2026-11-23"],
    ["fri", "2026-11-27"],
    ["saturday", "2026-11-28"],
    ["+3d", "2026-11-24"],
    ["+2w", "2026-12-05"],
    ["+1m", "2026-12-21"],
  ])("reads %s as %s", (input, expected) => {
    expect(parseDueDate(input, now)).toBe(expected);
  });

  it.each(["2026-02-30", "2026-13-01", "26-12-01", "someday", "next week", "+3", "3d", "", "mo"])(
    "refuses %j as a usage error",
    (input) => {
      expect(() => parseDueDate(input, now)).toThrow(UsageError);
    },
  );
});
