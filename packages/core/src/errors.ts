import type { z } from "zod";
import { ERROR_STATUS, type ErrorCode, type FieldError } from "./contract/common.js";

/**
 * An error the domain raises on purpose: a stable `code`, its HTTP `status` and a `detail`
 * sentence safe to show a user. The API turns it into RFC 9457 problem details.
 */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      status?: number;
    } = {},
  ) {
    super(detail);
    this.name = "DomainError";
    // A code has one usual status; `extra.status` picks the other for codes with two (idempotency_conflict 409/422).
    this.status = extra.status ?? ERROR_STATUS[code];
  }
}

/** 404 `not_found`. Used alike for a missing task and another user's task. */
export const notFound = (what: string) => new DomainError("not_found", `${what} was not found.`);

/** 401 `unauthorized` with the `WWW-Authenticate: Bearer` challenge (RFC 6750 §3). */
export const unauthorized = (
  detail = "Authentication is required: send an access token as `Authorization: Bearer <token>`.",
) =>
  new DomainError("unauthorized", detail, {
    headers: { "WWW-Authenticate": 'Bearer realm="todo"' },
  });

/** 422 `validation_failed` from a zod error, one entry per failing field. */
export function validationFailed(error: z.ZodError, where = "request"): DomainError {
  const errors = error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: path ? `${path}.${key}` : key,
        message: "is not a known field",
      }));
    }
    return [{ path: path || where, message: issue.message }];
  });
  const first = errors[0];
  const detail = first ? `Invalid ${where}: ${first.path} ${first.message}.` : `Invalid ${where}.`;
  return new DomainError("validation_failed", detail.replace(/\.\.$/, "."), { errors });
}

/** 412 `precondition_failed`: the `If-Match` version is not the task's current one (RFC 9110 §13.1.1). */
export const preconditionFailed = (current: number) =>
  new DomainError(
    "precondition_failed",
    `The task has changed since you read it (its version is now ${current}). Fetch it again and retry.`,
  );
