// Recurrence phrases as people say them ("every monday", "every 2 weeks", "every month on the
// 15th") and the RFC 5545 RRULE each means. Database-free: quick add (core) and `todo add --every`
// (CLI) read phrases with the same table.

const WEEKDAYS: Record<string, string> = {
  mo: "MO",
  tu: "TU",
  we: "WE",
  th: "TH",
  fr: "FR",
  sa: "SA",
  su: "SU",
};
const WEEKDAY =
  "(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)s?\\b";
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH =
  "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\b";
/** A day of the month, `15` or `15th`. */
const ORDINAL = "(\\d{1,2})(?:st|nd|rd|th)?";
const UNIT_FREQ: Record<string, string> = {
  day: "DAILY",
  week: "WEEKLY",
  month: "MONTHLY",
  year: "YEARLY",
};

const byDay = (words: string) =>
  [...words.toLowerCase().matchAll(new RegExp(WEEKDAY, "g"))]
    .map((match) => WEEKDAYS[match[0].slice(0, 2)])
    .filter((day, index, all) => day && all.indexOf(day) === index)
    .join(",");

/** Recurrence phrases, first match wins, each with the RRULE it means. */
const RECURRENCES: readonly [RegExp, (match: RegExpExecArray) => string | undefined][] = [
  [/\bevery\s+(?:week\s*day|weekday)s?\b/i, () => "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"],
  [/\bevery\s+weekends?\b/i, () => "FREQ=WEEKLY;BYDAY=SA,SU"],
  [
    new RegExp(`\\bevery\\s+(${WEEKDAY}(?:\\s*(?:,|and|&)\\s*${WEEKDAY})*)\\b`, "i"),
    (match) => `FREQ=WEEKLY;BYDAY=${byDay(match[1]!)}`,
  ],
  [
    new RegExp(
      `\\bevery\\s+(?:month\\s+on\\s+the\\s+)?last\\s+day(?:\\s+of\\s+the\\s+month)?\\b`,
      "i",
    ),
    () => "FREQ=MONTHLY;BYMONTHDAY=-1",
  ],
  [
    new RegExp(`\\bevery\\s+month\\s+on\\s+the\\s+${ORDINAL}\\b`, "i"),
    (match) => monthDay(match[1]!),
  ],
  [/\bevery\s+(\d{1,2})(?:st|nd|rd|th)\b/i, (match) => monthDay(match[1]!)],
  [
    new RegExp(`\\bevery\\s+(${MONTH})\\s+${ORDINAL}\\b`, "i"),
    (match) => {
      const month = MONTHS.indexOf(match[1]!.slice(0, 3).toLowerCase()) + 1;
      const day = Number(match[2]);
      return month > 0 && day >= 1 && day <= 31
        ? `FREQ=YEARLY;BYMONTH=${month};BYMONTHDAY=${day}`
        : undefined;
    },
  ],
  [
    /\bevery\s+(?:(\d{1,3})\s+|(other)\s+)?(day|week|month|year)s?\b/i,
    (match) => {
      const interval = match[2] ? 2 : Number(match[1] ?? 1);
      if (interval < 1) return undefined;
      const freq = UNIT_FREQ[match[3]!.toLowerCase()];
      return `FREQ=${freq}${interval > 1 ? `;INTERVAL=${interval}` : ""}`;
    },
  ],
  [/\b(daily)\b/i, () => "FREQ=DAILY"],
  [/\b(weekly)\b/i, () => "FREQ=WEEKLY"],
  [/\b(monthly)\b/i, () => "FREQ=MONTHLY"],
  [/\b(yearly|annually)\b/i, () => "FREQ=YEARLY"],
];

function monthDay(ordinal: string): string | undefined {
  const day = Number(ordinal);
  return day >= 1 && day <= 31 ? `FREQ=MONTHLY;BYMONTHDAY=${day}` : undefined;
}

/** A recurrence phrase found in a text, and the rule it means. */
export interface FoundRecurrence {
  /** Where the phrase starts, in UTF-16 code units. */
  readonly index: number;
  /** The phrase as typed. */
  readonly text: string;
  /** The RRULE it means, without DTSTART (`FREQ=WEEKLY;BYDAY=MO`); the API checks it. */
  readonly rule: string;
}

/**
 * The first recurrence phrase in `text`: `every day`, `daily`, `every weekday`, `every weekend`,
 * `every monday`, `every mon and thu`, `every 2 weeks`, `every other week`, `every month on the
 * 15th`, `every 15th`, `every last day`, `every month`, `every year`, `every feb 14`, `weekly`…
 */
export function findRecurrence(text: string): FoundRecurrence | undefined {
  for (const [pattern, rule] of RECURRENCES) {
    const match = pattern.exec(text);
    const found = match && rule(match);
    if (match && found) return { index: match.index, text: match[0], rule: found };
  }
  return undefined;
}

/** The RRULE `text` means when it is one recurrence phrase and nothing else, else `undefined`. */
export function readRecurrencePhrase(text: string): string | undefined {
  const found = findRecurrence(text.trim());
  return found && found.text.length === text.trim().length ? found.rule : undefined;
}
