/**
 * Due dates as people type them: `YYYY-MM-DD`, `today`, `tomorrow`, `yesterday`, a weekday name
 * (`friday`, `fri`: the next one after today), or an offset `+3d`, `+2w`, `+1m`. Calendar
 * arithmetic is date-fns's; everything is in the local time zone, since a due date has none.
 */
// Per-function entry points, and the locale-free ones (lightFormat, parseISO): `format` and
// `parse` would bring date-fns's locale machinery into every `todo list`.
import { addDays } from "date-fns/addDays";
import { addMonths } from "date-fns/addMonths";
import { addWeeks } from "date-fns/addWeeks";
import { isValid } from "date-fns/isValid";
import { lightFormat } from "date-fns/lightFormat";
import { nextDay } from "date-fns/nextDay";
import { parseISO } from "date-fns/parseISO";
import type { Day } from "date-fns";
import { UsageError } from "./errors.js";
import { printable } from "./text.js";

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
  return lightFormat(date, "yyyy-MM-dd");
}

/** An ISO 8601 timestamp as `YYYY-MM-DD HH:mm` in the local time zone, for tables. */
export function toLocalMinute(timestamp: string): string {
  return lightFormat(parseISO(timestamp), "yyyy-MM-dd HH:mm");
}

/**
 * Turns what the user typed into a `YYYY-MM-DD` date, relative to `now`.
 * @throws {UsageError} for anything else, including dates that do not exist (`2026-02-30`).
 */
export function parseDueDate(input: string, now: Date = new Date()): string {
  const text = input.trim().toLowerCase();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    // parseISO refuses days a month does not have (2026-02-30) with an invalid date.
    const date = parseISO(text);
    if (isValid(date) && !text.startsWith("0000")) return toIsoDate(date);
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
    `"${printable(input)}" is not a date; use YYYY-MM-DD, today, tomorrow, a weekday such as friday, or an offset such as +3d.`,
  );
}
