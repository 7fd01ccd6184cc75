// Calendar dates as a person lives them: in their own time zone. Database-free, so the core, the
// API and the CLI all read dates the same way.
import { text } from "./common.js";

/**
 * The canonical spelling of an IANA time zone (`europe/berlin` → `Europe/Berlin`), as the
 * platform's time-zone data (Intl, ICU) knows it, or `undefined` for a name it does not know.
 * Offsets such as `+02:00` are refused: a zone follows its region's daylight saving time.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** An IANA time zone name (`Europe/Berlin`, `UTC`), stored in its canonical spelling. */
export const TimeZone = text()
  .trim()
  .max(64, "must be at most 64 characters")
  .refine((name) => canonicalTimeZone(name) !== undefined, {
    error: "must be an IANA time zone such as Europe/Berlin or UTC",
  })
  .transform((name) => canonicalTimeZone(name) ?? name)
  .meta({
    description:
      'An IANA time zone such as `Europe/Berlin`, `America/New_York` or `UTC`; "today", overdue and recurrence are computed in it.',
    example: "Europe/Berlin",
  });

/** Formatters by zone: building one costs far more than using it. */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar date (`YYYY-MM-DD`) at instant `now` in IANA zone `timeZone`: the day a person
 * there sees on their calendar.
 * @throws {RangeError} for a zone the platform does not know.
 */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  let formatter = FORMATTERS.get(timeZone);
  if (!formatter) {
    // en-CA writes dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    FORMATTERS.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(
    formatter.formatToParts(now).map((part) => [part.type, part.value]),
  );
  return `${parts.year?.padStart(4, "0")}-${parts.month}-${parts.day}`;
}
