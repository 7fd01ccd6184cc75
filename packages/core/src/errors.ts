import type { z } from "zod";
import { ERROR_STATUS, type ErrorCode, type FieldError } from "@todo/contract";

/**
 * Why a bearer token was refused (RFC 6750 §3): `missing` when the request carried none (the
 * challenge then names no error), `invalid` for a bad, forged or revoked token, `expired` for one
 * past its `exp`.
 */
export type TokenProblem = "missing" | "invalid" | "expired";

/**
 * Facts an error carries beyond its code and sentence. The core states them as data; the API
 * turns them into HTTP (`Retry-After`, `WWW-Authenticate`, `ETag`), so the domain never names a
 * header.
 */
export interface DomainErrorData {
  /** Every invalid field, on `validation_failed`. */
  readonly errors?: FieldError[] | undefined;
  /** The other status of a code that has two (`idempotency_conflict`: 409 or 422). */
  readonly status?: number | undefined;
  /** Seconds a client should wait before trying again (429, 409 while a key is busy, 503). */
  readonly retryAfterSeconds?: number | undefined;
  /** On a 401: what was wrong with the bearer token. */
  readonly token?: TokenProblem | undefined;
  /** On a 412: the resource's current version, so a client can re-read or retry (RFC 9110 §13.1.1). */
  readonly currentVersion?: number | undefined;
}

/**
 * An error the domain raises on purpose: a stable `code`, its HTTP `status` and a `detail`
 * sentence safe to show a user, plus {@link DomainErrorData}. The API turns it into RFC 9457
 * problem details.
 */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly data: DomainErrorData = {},
  ) {
    super(detail);
    this.name = "DomainError";
    this.status = data.status ?? ERROR_STATUS[code];
  }
}

/** 404 `not_found`. Used alike for a missing resource and another user's. */
export const notFound = (what: string) => new DomainError("not_found", `${what} was not found.`);

/** 401 `unauthorized` (RFC 6750 §3); `token` says whether a token was sent and what was wrong. */
export const unauthorized = (
  detail = "Authentication is required: send an access token as `Authorization: Bearer <token>`.",
  token: TokenProblem = "missing",
) => new DomainError("unauthorized", detail, { token });

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

/** 412 `precondition_failed`: the `If-Match` version is not the current one (RFC 9110 §13.1.1). */
export const preconditionFailed = (current: number, what = "task") =>
  new DomainError(
    "precondition_failed",
    `The ${what} has changed since you read it (its version is now ${current}). Fetch it again and retry.`,
    { currentVersion: current },
  );
