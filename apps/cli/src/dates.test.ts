import { describe, expect, it } from "vitest";
import { readDueDate } from "./dates.js";
import { UsageError } from "./errors.js";

// Saturday 2026-11-21, 15:00 local time.
const now = new Date(2026, 10, 21, 15, 0, 0);

describe("readDueDate", () => {
  it.each([
    ["2026-12-01", "2026-12-01"],
    ["2028-02-29", "2028-02-29"],
    ["today", "2026-11-21"],
    ["Tomorrow", "2026-11-22"],
    ["yesterday", "2026-11-20"],
    ["monday", "2026-11-23"],
    ["fri", "2026-11-27"],
    ["next friday", "2026-11-27"],
    ["dec 5", "2026-12-05"],
    ["in 3 days", "2026-11-24"],
    ["+3d", "2026-11-24"],
    ["+2w", "2026-12-05"],
    ["+1m", "2026-12-21"],
  ])("reads %s as %s", async (input, expected) => {
    expect(await readDueDate(input, "--due", now)).toBe(expected);
  });

  it.each(["2026-02-30", "2026-13-01", "someday", "May", "1984", "at 5pm", "+3", "", "mo x"])(
    "refuses %j as a usage error",
    async (input) => {
      await expect(readDueDate(input, "--due", now)).rejects.toThrow(UsageError);
    },
  );
});
