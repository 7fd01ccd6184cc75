import type { WriteOptions } from "@todo/core";
import type { Task } from "@todo/contract";
import { DomainError } from "@todo/core";
import type { AppContext } from "./context.js";

const MAX_VERSION = 2_147_483_647;

/** Sets `ETag: "<version>"` (a strong validator, RFC 9110 §8.8.3). */
export function setTaskHeaders(ctx: AppContext, task: Task): void {
  ctx.set("ETag", `"${task.version}"`);
}

/**
 * Reads `If-Match` into a version. Absent or `*`: no condition. Anything but one strong ETag
 * such as `"3"` can never match a task, so it fails with 412.
 */
export function ifMatchOf(ctx: AppContext): WriteOptions {
  const header = ctx.get("if-match").trim();
  if (!header || header === "*") return {};
  const versions = header.split(",").map((tag) => /^"(\d{1,10})"$/.exec(tag.trim())?.[1]);
  const first = versions.find((version) => version !== undefined);
  if (versions.length !== 1 || first === undefined) {
    throw new DomainError(
      "precondition_failed",
      'If-Match must be one ETag such as "3", as sent in the ETag header.',
    );
  }
  // Versions are PostgreSQL integers; a larger number can never match (0 never does either), and
  // must not reach SQL as an out-of-range value.
  const version = Number(first);
  return { ifMatch: version <= MAX_VERSION ? version : 0 };
}
