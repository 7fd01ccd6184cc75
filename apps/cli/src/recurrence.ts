/** `--every` and `--recurrence`: how a command line names a task's recurrence. */
import { UsageError } from "./errors.js";
import { printable } from "./text.js";

/** The recurrence options a command takes. */
export interface RecurrenceOptions {
  /** A phrase after "every": `monday`, `2 weeks`, `month on the 15th`. */
  every?: string;
  /** An RFC 5545 RRULE, sent as is (the API checks it). */
  recurrence?: string | false;
}

/**
 * The RRULE the options ask for: `--every` read by the contract's phrase reader (the one quick
 * add uses), `--recurrence` as given, `null` for `--no-recurrence`, `undefined` for neither.
 * @throws {UsageError} for both at once, or an `--every` phrase that is no recurrence.
 */
export async function readRecurrence(
  options: RecurrenceOptions,
): Promise<string | null | undefined> {
  if (options.every !== undefined && options.recurrence !== undefined)
    throw new UsageError("Pass --every or --recurrence, not both.");
  if (options.recurrence !== undefined) return options.recurrence || null;
  if (options.every === undefined) return undefined;
  const { readRecurrencePhrase } = await import("@todo/contract");
  const rule = readRecurrencePhrase(`every ${options.every.replace(/^\s*every\s+/i, "")}`);
  if (rule === undefined)
    throw new UsageError(
      `--every "${printable(options.every)}" is not a recurrence; use day, weekday, weekend, monday, mon and thu, 2 weeks, other week, month, month on the 15th, last day, year or feb 14.`,
    );
  return rule;
}
