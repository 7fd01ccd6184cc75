/**
 * Due dates as people type them: `YYYY-MM-DD`, `today`, `tomorrow`, `yesterday`, a weekday name
 * (`friday`, `fri`: the next one after today), or an offset `+3d`, `+2w`, `+1m`. Calendar
 * arithmetic is date-fns's; everything is in the local time zone, since a due date has none.
 */
// Per-function entry points: the package root would load all of date-fns (~250 modules) on every run.
import { addDays } from "date-fns/addDays";
import { addMonths } from "date-fns/addMonths";
import { addWeeks } from "date-fns/addWeeks";
import { format } from "date-fns/format";
import { isMatch } from "date-fns/isMatch";
import { nextDay } from "date-fns/nextDay";
import { parse } from "date-fns/parse";
import type { Day } from "date-fns";
import { UsageError } from "./errors.js";

const WEEKDAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;

/** The words and forms {@link parseDueDate} accepts, for help texts and shell completion. */
export const DATE_WORDS = ["today", "tomorrow", "yesterday", ...WEEKDAYS] as const;

/** `date` as `YYYY-MM-DD` in the local time zone. */
export function toIsoDate(date: Date): string {
  return format(date, "yyyy-MM-dd");
}

/**
 * Turns what the user typed into a `YYYY-MM-DD` date, relative to `now`.
 * @throws {UsageError} for anything else, including dates that do not exist (`2026-02-30`).
 */
export function parseDueDate(input: string, now: Date = new Date()): string {
  const text = input.trim().toLowerCase();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && isMatch(text, "yyyy-MM-dd")) {
    return toIsoDate(parse(text, "yyyy-MM-dd", now));
  }
  if (text === "today") return toIsoDate(now);
  if (text === "tomorrow") return toIsoDate(addDays(now, 1));
  if (text === "yesterday") return toIsoDate(addDays(now, -1));
  const weekday = WEEKDAYS.findIndex((day) => text.length >= 3 && day.startsWith(text));
  if (weekday >= 0) return toIsoDate(nextDay(now, weekday as Day));
  const offset = /^\+(\d{1,4})([dwm])$/.exec(text);
  if (offset) {
    const amount = Number(offset[1]);
    const add = offset[2] === "d" ? addDays : offset[2] === "w" ? addWeeks : addMonths;
    return toIsoDate(add(now, amount));
  }
  throw new UsageError(
    `"${input}" is not a date; use YYYY-MM-DD, today, tomorrow, a weekday such as friday, or an offset such as +3d.`,
  );
}
