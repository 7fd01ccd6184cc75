// Calendar dates as a person lives them: in their own time zone. Database-free, so the core, the
// API and the CLI all read dates the same way.
import type * as ChronoModule from "chrono-node";
import { IsoDate, text } from "./common.js";

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

/** The parts of a date chrono-node read in a text, and where. */
export interface FoundDate {
  /** Where the words start in the text, in UTF-16 code units. */
  readonly index: number;
  /** The words read as the date, as typed (`next friday`, `on dec 5`). */
  readonly text: string;
  /** The date meant, `YYYY-MM-DD`. */
  readonly date: string;
}

/**
 * `eow`, `eom`, `eoy` and `end of (the) week|month|year`, as Taskwarrior reads them: the last day
 * of the current week (its Sunday, ISO 8601 weeks; today on a Sunday), month or year.
 */
const END_OF: ChronoModule.Parser = {
  pattern: () => /\b(?:eo([wmy])|end of (?:the )?(week|month|year))\b/i,
  extract: (context, match) => {
    const unit = (match[1] ?? match[2] ?? "w").toLowerCase().charAt(0);
    const reference = context.reference.instant;
    const day = new Date(reference.getFullYear(), reference.getMonth(), reference.getDate(), 12);
    if (unit === "w") day.setDate(day.getDate() + ((7 - day.getDay()) % 7));
    else if (unit === "m") day.setMonth(day.getMonth() + 1, 0);
    else day.setMonth(12, 0);
    return { day: day.getDate(), month: day.getMonth() + 1, year: day.getFullYear() };
  },
};

let chrono: Promise<ChronoModule.Chrono> | undefined;

/**
 * chrono-node's casual English reader with {@link END_OF}, loaded on first use: a CLI run that
 * reads no date never pays for it.
 */
const loadChrono = (): Promise<ChronoModule.Chrono> =>
  (chrono ??= import("chrono-node").then(({ casual }) => {
    const reader = casual.clone();
    reader.parsers.push(END_OF);
    return reader;
  }));

/** `+3d`, `+2w`, `+1m`, `+1y`: the offsets the CLI always read, said in words chrono-node reads. */
const OFFSET = /^\+(\d{1,4})([dwmy])$/i;
const OFFSET_UNITS: Record<string, string> = { d: "days", w: "weeks", m: "months", y: "years" };

/** Words that name a day without naming its date: kept, although chrono marks the day implied. */
const RELATIVE =
  /\b(today|tonight|tomorrow|tmr|yesterday|now|next|last|this|in \d+|\d+ (days?|weeks?|months?|years?) (from now|ago|later)|mon|tue|wed|thu|fri|sat|sun)/i;

/**
 * Every date chrono-node reads in `text` (English, casual: `tomorrow`, `next friday`, `dec 5`,
 * `in 3 days`, `2027-01-31`, and `eow`/`eom`/`eoy`), relative to `today` (`YYYY-MM-DD`, the reader's date in
 * their own time zone) and never in the past unless said (`yesterday`, `last monday`). Only
 * words that fix a day count: a month (`May`), a year (`1984`) or a time of day (`at 5`) alone
 * are no date, nor is an amount without a `+` (`2m`, `8h`), so that `Call May`, `Read 1984` or
 * `Buy 2m of cable` stay titles.
 */
export async function findDates(text: string, today: string): Promise<FoundDate[]> {
  const reader = await loadChrono();
  const [year, month, day] = today.split("-").map(Number) as [number, number, number];
  // Noon of today on the host's clock: chrono counts days on it, and noon is never skipped by a
  // daylight saving change. Only the year, month and day of a result are read.
  const reference = new Date(year, month - 1, day, 12);
  const results = reader.parse(text, reference, { forwardDate: true });
  return results.flatMap((result) => {
    // `2m of cable`, `8h`: a bare amount is no date; `+3d` is.
    if (/^\d+\s*[a-z]{1,3}$/i.test(result.text)) return [];
    const start = result.start;
    const fixed =
      start.isCertain("day") || start.isCertain("weekday") || RELATIVE.test(result.text);
    if (!fixed) return [];
    const date = [start.get("year"), start.get("month"), start.get("day")];
    if (date.some((part) => part === null || part === undefined)) return [];
    const [y, m, d] = date as [number, number, number];
    return [
      {
        index: result.index,
        text: text.slice(result.index, result.index + result.text.length),
        date: `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
      },
    ];
  });
}

/**
 * Reads `input` as one date, as `todo add --due` and quick add read them: what
 * {@link findDates} reads, when it is the whole input, or an offset such as `+3d` (also `w`,
 * `m`, `y`). `undefined` when it is not a date.
 */
export async function readDate(input: string, today: string): Promise<string | undefined> {
  const offset = OFFSET.exec(input.trim());
  const text = offset ? `in ${offset[1]} ${OFFSET_UNITS[offset[2]!.toLowerCase()]}` : input.trim();
  if (!text) return undefined;
  // A date written as YYYY-MM-DD is that date or none (chrono reads 2026-13-01 as 13 January).
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(text)) return IsoDate.safeParse(text).data;
  const [found] = await findDates(text, today);
  return found && found.index === 0 && found.text.trim().length === text.length
    ? found.date
    : undefined;
}
