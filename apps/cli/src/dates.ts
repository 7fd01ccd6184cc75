/**
 * Dates on the command line: what `--due` and every other date option read (the contract's date
 * reader, chrono-node, the same code as the API's quick add), and how dates and times are shown.
 * The reader is loaded only by a run that reads a date.
 */
// Per-function entry points, and the locale-free ones (lightFormat, parseISO): `format` and
// `parse` would bring date-fns's locale machinery into every `todo list`.
import { lightFormat } from "date-fns/lightFormat";
import { parseISO } from "date-fns/parseISO";
import { UsageError } from "./errors.js";
import { printable } from "./text.js";
import { localTimeZone } from "./zone.js";

const WEEKDAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;

/** Date words offered by shell completion (the reader takes far more: `next friday`, `dec 5`…). */
export const DATE_WORDS = ["today", "tomorrow", "yesterday", ...WEEKDAYS] as const;

/** What a date option reads, as the examples in its help and its error. */
export const DATE_EXAMPLES =
  "2027-01-31, today, tomorrow, friday, next monday, dec 5, in 3 days, +3d";

/** `date` as `YYYY-MM-DD` in the local time zone. */
export function toIsoDate(date: Date): string {
  return lightFormat(date, "yyyy-MM-dd");
}

/** An ISO 8601 timestamp as `YYYY-MM-DD HH:mm` in the local time zone, for tables. */
export function toLocalMinute(timestamp: string): string {
  return lightFormat(parseISO(timestamp), "yyyy-MM-dd HH:mm");
}

/**
 * Reads what the user typed for `option` as a `YYYY-MM-DD` date, relative to `now` on this
 * machine's calendar, the way quick add reads dates.
 * @throws {UsageError} for anything that is not one date (`someday`, `May`, `2026-02-30`).
 */
export async function readDueDate(
  input: string,
  option = "--due",
  now: Date = new Date(),
): Promise<string> {
  const { readDate, todayIn } = await import("@todo/contract");
  const date = await readDate(input, todayIn(localTimeZone(), now));
  if (date === undefined)
    throw new UsageError(
      `${option} "${printable(input)}" is not a date; use a date such as ${DATE_EXAMPLES}.`,
    );
  return date;
}
