import type { WriteOptions } from "@todo/core";
import { MAX_TASK_ID, parseEntityTags, type IfMatch, type IfNoneMatch } from "@todo/contract";

/** The largest version a task can have (PostgreSQL `integer`), like its largest id. */
const MAX_VERSION = MAX_TASK_ID;

/**
 * The write condition of an `If-Match` header for the task services (RFC 9110 §13.1.1). Absent or
 * `*`: none (a missing task is still 404). Otherwise the one strong ETag naming a version; a
 * condition naming none (weak tags, other values, a malformed field) or several versions becomes
 * version 0, which no task has, so the service answers 412 with the task's current version (or
 * 404) and changes nothing.
 */
export function writeConditionOf(condition: IfMatch | undefined): WriteOptions {
  if (condition === undefined || condition === "*") return {};
  const versions = new Set(
    condition
      .filter((tag) => !tag.weak && /^\d{1,10}$/.test(tag.opaque))
      .map((tag) => Number(tag.opaque))
      .filter((version) => version >= 1 && version <= MAX_VERSION),
  );
  const [version] = versions;
  return { ifMatch: versions.size === 1 && version !== undefined ? version : 0 };
}

/**
 * Whether an `If-None-Match` condition holds against the current `etag` (RFC 9110 §13.1.2): `*`
 * matches any current representation, a list matches when one of its tags weakly equals `etag`
 * (RFC 9110 §8.8.3.2: the opaque parts are equal, `W/` aside). On a GET, holding means 304.
 */
export function ifNoneMatchHolds(condition: IfNoneMatch, etag: string): boolean {
  if (condition === "*") return true;
  const current = parseEntityTags(etag);
  if (current === "*" || current[0] === undefined) return false;
  const opaque = current[0].opaque;
  return condition.some((tag) => tag.opaque === opaque);
}
