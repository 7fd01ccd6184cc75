// Quick add: one line as a person types it ("Pay rent every month on the 1st +bills #home !high")
// read into a task's fields. The one parser behind `POST /tasks/quick`, `POST /tasks/parse` and
// `todo add`; dates are chrono-node's, read through the contract's date reader, and recurrence
// phrases the contract's table.
import { findDates, findRecurrence, type Priority } from "@todo/contract";
import { DomainError } from "./errors.js";
import { firstOccurrence, normalizeRecurrence } from "./recurrence.js";
import type { Tables } from "@todo/db";
import { projectNamed } from "./access.js";
import type { Actor } from "./services/auth-service.js";

/**
 * Finds the caller's project named by quick add's `+name` (case-insensitively). Projects answer
 * through it, so quick add needs nothing else of them.
 */
export interface ProjectResolver {
  /** The id of `actor`'s live project called `name`, or `undefined` when they have none. */
  idOf(actor: Actor, name: string): Promise<number | undefined>;
}

/** The resolver over the database: the caller's live project of that name, by the access rule. */
export const projectsIn = (tables: Tables): ProjectResolver => ({
  idOf: async (actor, name) => (await projectNamed(tables, actor, name))?.id,
});

/** The 422 for a `+name` that names none of the caller's projects. */
export const noSuchProject = (name: string) =>
  new DomainError("validation_failed", `Invalid body: text names no project called "${name}".`, {
    errors: [{ path: "text", message: `names no project called "${name}"` }],
  });

/** What quick add understood in a line, before any project is looked up. */
export interface QuickAddParts {
  /** The words left once everything understood is taken out; quoted text kept as typed. */
  readonly title: string;
  /** `YYYY-MM-DD`; a recurrence without a date starts on its first occurrence from today. */
  readonly dueDate: string | null;
  /** A normalised RRULE (`FREQ=WEEKLY;BYDAY=MO`), or null. */
  readonly recurrence: string | null;
  /** `#tag` words, without the `#`, lower-cased, in order, without repeats. */
  readonly tags: readonly string[];
  /** `!low`, `!medium` or `!high`; the last one wins. */
  readonly priority: Priority | null;
  /** The `+name` of a project, as typed (projects are matched case-insensitively). */
  readonly project: string | null;
}

/** Quoted text: kept out of every other rule, and put back without its quotes. */
const QUOTED = /"([^"]*)"/g;
/** Stands for the quoted text number n while the rest is read (private-use characters). */
const placeholder = (n: number) => `\uE000${n}\uE001`;
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

const TAG = /(^|\s)#([^\s#"]{1,40})(?=\s|$)/gu;
const PROJECT = /(^|\s)\+([\p{L}_][^\s+"]{0,99})(?=\s|$)/gu;
const PRIORITY = /(^|\s)!(low|medium|high)(?=\s|$)/gi;
/** A connecting word left before a date or a rule taken out: "Pay rent on friday". */
const CONNECTOR = /\s+(?:on|by|due|at|from|starting)\s*$/i;

/**
 * Reads one line of quick add (DESIGN §8): `#tag`, `+project`, `!low|!medium|!high`, a recurrence
 * phrase (`every day`, `every weekday`, `every monday`, `every 2 weeks`, `every month on the 15th`,
 * `every year`…), a date chrono-node reads (`tomorrow`, `next friday`, `dec 5`, `in 3 days`) in
 * the owner's calendar, where `today` is their date; text in double quotes stays in the title
 * as typed. What is left is the title.
 * @throws {DomainError} `validation_failed` on `text` when no title is left.
 */
export async function parseQuickAdd(text: string, today: string): Promise<QuickAddParts> {
  const quoted: string[] = [];
  let rest = text.replace(QUOTED, (_, inner: string) => placeholder(quoted.push(inner) - 1));

  const tags: string[] = [];
  rest = rest.replace(TAG, (_, space: string, tag: string) => {
    const lower = tag.toLowerCase();
    if (!tags.includes(lower)) tags.push(lower);
    return space;
  });
  let project: string | null = null;
  rest = rest.replace(PROJECT, (_, space: string, name: string) => {
    project = name;
    return space;
  });
  let priority: Priority | null = null;
  rest = rest.replace(PRIORITY, (_, space: string, level: string) => {
    priority = level.toLowerCase() as Priority;
    return space;
  });

  let recurrence: string | null = null;
  const phrase = findRecurrence(rest);
  if (phrase) {
    recurrence = normalizeRecurrence(phrase.rule);
    rest = cut(rest, phrase.index, phrase.text.length);
  }

  let dueDate: string | null = null;
  const [date] = await findDates(rest, today);
  if (date) {
    dueDate = date.date;
    rest = cut(rest, date.index, date.text.length);
  }
  if (recurrence && !dueDate) dueDate = firstOccurrence(recurrence, today) ?? null;

  // Only the spaces the cuts left are collapsed: a title keeps its own line breaks and tabs.
  const title = rest
    .replace(/ {2,}/g, " ")
    .trim()
    .replace(PLACEHOLDER, (_, n: string) => quoted[Number(n)] ?? "");
  if (!title.trim()) {
    throw new DomainError("validation_failed", "Invalid body: text leaves no title.", {
      errors: [{ path: "text", message: "leaves no title once dates, tags and the rest are read" }],
    });
  }
  return { title, dueDate, recurrence, tags, priority, project };
}

/** `text` without the `length` characters at `index`, and a connecting word just before them. */
function cut(text: string, index: number, length: number): string {
  const before = text.slice(0, index).replace(CONNECTOR, "");
  return `${before} ${text.slice(index + length)}`;
}
