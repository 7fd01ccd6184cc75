import { z } from "zod";

/** An entity tag (RFC 9110 §8.8.3): `"<opaque>"`, or a weak one `W/"<opaque>"`. */
export interface EntityTag {
  readonly weak: boolean;
  /** The characters between the quotes. */
  readonly opaque: string;
}

// One entity-tag in a list: optional `W/`, then a quoted run of etagc (%x21 / %x23-7E / obs-text).
const ENTITY_TAG = /^\s*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)/;

/**
 * Reads an `If-Match` or `If-None-Match` field value (RFC 9110 §13.1.1, §13.1.2): `*`, or a
 * comma-separated list of entity tags. A value that is neither gives `[]`, a list that no
 * representation can match: a malformed condition never lets a request through that a
 * well-formed one would have stopped.
 */
export function parseEntityTags(value: string): "*" | EntityTag[] {
  const field = value.trim();
  if (field === "*") return "*";
  const tags: EntityTag[] = [];
  let rest = field;
  while (rest.trim() !== "") {
    const match = ENTITY_TAG.exec(rest);
    if (!match) return [];
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? "" });
    rest = rest.slice(match[0].length);
  }
  return tags;
}

/** A task's `ETag`: its version as a strong validator (RFC 9110 §8.8.3), such as `"3"`. */
export const taskETag = (version: number): string => `"${version}"`;

/** A project's `ETag`: its version, as for a task (RFC 9110 §8.8.3). */
export const projectETag = taskETag;

/** The longest conditional header the API reads; longer ones are refused (422). */
const MAX_CONDITION_LENGTH = 1024;

// Header parameters carry no `example`: Swagger UI would send it on every "Try it out", and a fixed
// If-Match, Idempotency-Key or request id would turn a first try into a 412, a replay or a
// confusing log.

/** `If-Match` (RFC 9110 §13.1.1): apply a change only while the resource still has one of these ETags. */
export const IfMatch = z.string().max(MAX_CONDITION_LENGTH).transform(parseEntityTags).meta({
  description:
    'Only apply the change if the task\'s version is still this ETag (such as `"2"`); otherwise 412 (with the current `ETag`) and nothing changes. `*` means "if the task exists".',
});
export type IfMatch = z.output<typeof IfMatch>;

/** `If-None-Match` (RFC 9110 §13.1.2) on a read: answer 304 while the representation has one of these ETags. */
export const IfNoneMatch = z.string().max(MAX_CONDITION_LENGTH).transform(parseEntityTags).meta({
  description:
    'Answer 304 Not Modified (no body) if the current ETag is one of these (weak comparison, such as `"2"` or `W/"2"`), or for `*`.',
});
export type IfNoneMatch = z.output<typeof IfNoneMatch>;

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): 1–255 visible US-ASCII
 * characters (0x21–0x7E), bare (`abc`, as Stripe uses) or as a structured-field string (`"abc"`,
 * unquoted before use). Parses to the key itself.
 */
export const IdempotencyKey = z
  .string()
  .transform((header, ctx) => {
    const field = header.trim();
    const quoted = /^"((?:[^"\\]|\\["\\])*)"$/.exec(field)?.[1];
    const key = quoted === undefined ? field : quoted.replace(/\\(["\\])/g, "$1");
    if (/^[\x21-\x7e]{1,255}$/.test(key)) return key;
    ctx.addIssue({ code: "custom", message: "must be 1–255 visible ASCII characters" });
    return z.NEVER;
  })
  .meta({
    description:
      "A unique key (1–255 visible ASCII characters; a new UUID per action, say) that makes a retry safe: the same key and request within 24 h replays the first response (with `Idempotent-Replayed: true`) instead of acting twice; the same key with another request is 422; a retry while the first is still running is 409.",
  });

/** `X-Request-Id`: echoed back when it is 1–128 letters, digits or `._:-`; otherwise replaced. */
export const RequestId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .meta({
    description:
      "Your id for this request, echoed back when it is 1–128 letters, digits or `._:-`; otherwise a UUID is assigned.",
  });
