// Recurring tasks: an RFC 5545 RRULE (without DTSTART) expanded by the `rrule` library over
// calendar dates. A due date has no time and no zone, so each date is handled as midnight UTC, a
// floating date: no daylight saving change can move it. Only "today" depends on the owner's zone,
// and the caller computes it.
// rrule is CommonJS: its default export is the module, whose named exports Node cannot see.
import rrule, { type Options, type RRule as Rule } from "rrule";
import { DomainError } from "./errors.js";

const { RRule } = rrule;

/** Frequencies a rule over due dates may have: a date has no hours, minutes or seconds. */
const DATE_FREQUENCIES = new Set<number>([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY]);

/** Parts a rule over due dates may not carry: the start is the task's due date, with no time. */
const REFUSED = /(^|;)(DTSTART|TZID|BYHOUR|BYMINUTE|BYSECOND)=/;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` → midnight UTC of that date. */
const toInstant = (date: string): Date => new Date(`${date}T00:00:00.000Z`);

/** Midnight UTC → `YYYY-MM-DD`. */
const toDate = (instant: Date): string => instant.toISOString().slice(0, 10);

/** The date `days` after `date`. */
export const addDays = (date: string, days: number): string =>
  toDate(new Date(toInstant(date).getTime() + days * DAY_MS));

function invalid(message: string): DomainError {
  return new DomainError("validation_failed", `Invalid body: recurrence ${message}.`, {
    errors: [{ path: "recurrence", message }],
  });
}

/**
 * Reads and normalises a recurrence rule: an RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=MO`, an
 * `RRULE:` prefix allowed, any case), DAILY to YEARLY, without DTSTART, TZID or times of day.
 * @returns the rule as `rrule` writes it (`FREQ=WEEKLY;BYDAY=MO`).
 * @throws {DomainError} `validation_failed` on `recurrence` for anything else.
 */
export function normalizeRecurrence(input: string): string {
  const text = input
    .trim()
    .toUpperCase()
    .replace(/^RRULE:/, "");
  if (REFUSED.test(text))
    throw invalid(
      "must be an RRULE without DTSTART, TZID or times of day (the due date starts it)",
    );
  let options: Partial<Options>;
  try {
    options = RRule.parseString(text);
  } catch {
    throw invalid("must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO");
  }
  if (options.freq === undefined || !DATE_FREQUENCIES.has(options.freq))
    throw invalid("must have FREQ=DAILY, WEEKLY, MONTHLY or YEARLY");
  if (options.interval !== undefined && !(options.interval >= 1 && options.interval <= 1000))
    throw invalid("must have an INTERVAL from 1 to 1000");
  if (options.count !== undefined && options.count !== null && !(options.count >= 1))
    throw invalid("must have a COUNT of at least 1");
  let rule: Rule;
  try {
    rule = new RRule(options);
    // Expanding once finds what parsing lets through (an impossible BYSETPOS, NaN values).
    rule.after(toInstant("2000-01-01"));
  } catch {
    throw invalid("must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO");
  }
  const normalized = RRule.optionsToString(options).replace(/^RRULE:/, "");
  if (!normalized.startsWith("FREQ=") || /NaN|undefined/.test(normalized))
    throw invalid("must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO");
  return normalized;
}

/** Expanded rules by `rule` and start date: building one parses the rule again. */
const RULES = new Map<string, Rule>();

/** `rule` (normalised) started on `start` (`YYYY-MM-DD`): its occurrences as midnight UTC instants. */
export function ruleFrom(rule: string, start: string): Rule {
  const key = `${start} ${rule}`;
  let built = RULES.get(key);
  if (!built) {
    built = new RRule({ ...RRule.parseString(rule), dtstart: toInstant(start) });
    if (RULES.size >= 1000) RULES.clear();
    RULES.set(key, built);
  }
  return built;
}

/**
 * The first date of `rule`, started on `start`, that is after both `dueDate` and `today` (all
 * `YYYY-MM-DD`), or `undefined` when the rule has no further occurrence (COUNT, UNTIL): the date
 * a recurring task moves to when it is completed. Dates that do not exist in a month (the 31st
 * in April, 29 February in 2027) are skipped, as RFC 5545 says.
 */
export function nextOccurrence(
  rule: string,
  start: string,
  dueDate: string,
  today: string,
): string | undefined {
  const after = dueDate > today ? dueDate : today;
  const next = ruleFrom(rule, start).after(toInstant(addDays(after, 1)), true);
  return next ? toDate(next) : undefined;
}

/**
 * The first date of `rule`, started on `from`, on or after `from`: the due date a new recurring
 * task without one gets (`every monday` → the next Monday, or today on a Monday).
 */
export function firstOccurrence(rule: string, from: string): string | undefined {
  const first = ruleFrom(rule, from).after(toInstant(from), true);
  return first ? toDate(first) : undefined;
}

const TEXTS = new Map<string, string>();

/** A human reading of a normalised rule, such as `every Monday` or `every month on the 15th`. */
export function recurrenceText(rule: string): string {
  let text = TEXTS.get(rule);
  if (text === undefined) {
    text = RRule.fromString(rule).toText();
    if (TEXTS.size >= 1000) TEXTS.clear();
    TEXTS.set(rule, text);
  }
  return text;
}
