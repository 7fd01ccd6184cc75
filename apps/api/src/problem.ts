import { DomainError } from "@todo/core";
import { type ErrorCode, type Problem } from "@todo/contract";
import { isDatabaseUnavailable } from "@todo/db";
import { ZodError } from "zod";
import { validationFailed } from "@todo/core";

const TITLES: Record<ErrorCode, string> = {
  malformed_json: "Malformed JSON",
  bad_request: "Bad request",
  unauthorized: "Unauthorized",
  token_expired: "Access token expired",
  invalid_credentials: "Invalid credentials",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  email_taken: "Email already registered",
  project_name_taken: "Project name taken",
  idempotency_conflict: "Idempotency key conflict",
  sync_token_expired: "Sync token expired",
  precondition_failed: "Precondition failed",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  rate_limited: "Too many requests",
  request_timeout: "Request timeout",
  request_header_fields_too_large: "Request header fields too large",
  internal: "Internal server error",
  unavailable: "Service unavailable",
};

/** The `type` URI of a problem: a stable identifier per code (RFC 9457 §3.1.1). */
export const problemType = (code: ErrorCode) =>
  `https://todo.dev/problems/${code.replaceAll("_", "-")}`;

/**
 * Turns anything thrown into a {@link DomainError}: domain errors pass through, zod errors become
 * 422, a database that cannot be reached (down, restarting, timed out) becomes 503 `unavailable`
 * with `Retry-After`, Koa/body-parser HTTP errors map onto their codes, and anything else becomes
 * `internal` (whose text is never shown). Returns `unexpected: true` for the last kind, which must
 * be logged.
 */
export function toDomainError(error: unknown): {
  error: DomainError;
  unexpected: boolean;
  /** Headers a Koa HTTP error brought (the router's `Allow` on a 405). */
  headers?: Record<string, string>;
} {
  if (error instanceof DomainError) return { error, unexpected: false };
  if (error instanceof ZodError) return { error: validationFailed(error), unexpected: false };
  if (isDatabaseUnavailable(error)) {
    return {
      error: new DomainError(
        "unavailable",
        "The service cannot reach its database right now. Try again in a few seconds.",
        // A restart or failover usually takes seconds; the pool reconnects on the next request.
        { retryAfterSeconds: 2 },
      ),
      unexpected: false,
    };
  }
  const http = error as {
    status?: unknown;
    type?: unknown;
    expose?: unknown;
    headers?: Record<string, string>;
  };
  const status = typeof http.status === "number" ? http.status : 500;
  if (status < 500 && http.expose !== false) {
    if (status === 405) {
      return {
        error: new DomainError(
          "method_not_allowed",
          "This method is not allowed on this resource.",
        ),
        unexpected: false,
        headers: http.headers ?? {},
      };
    }
    if (status === 404) return known("not_found", "There is no such resource.");
    return known("bad_request", "The request could not be understood.");
  }
  return {
    error: new DomainError(
      "internal",
      "Something went wrong on our side. Try again; if it persists, report the request id.",
    ),
    unexpected: true,
  };
}

function known(code: ErrorCode, detail: string) {
  return { error: new DomainError(code, detail), unexpected: false };
}

/** The RFC 9457 body for a domain error. */
export function toProblem(error: DomainError, requestId: string): Problem {
  return {
    type: problemType(error.code),
    title: TITLES[error.code],
    status: error.status,
    detail: error.detail,
    code: error.code,
    requestId,
    ...(error.data.errors ? { errors: error.data.errors } : {}),
  };
}

/**
 * The headers that go with a problem, from the facts its error carries: `Retry-After` (RFC 9110
 * §10.2.3), the Bearer challenge on a 401 with `error="invalid_token"` when a token was refused
 * (RFC 6750 §3), and the current `ETag` on a 412.
 */
export function problemHeaders(error: DomainError): Record<string, string> {
  const headers: Record<string, string> = {};
  const { retryAfterSeconds, token, currentVersion } = error.data;
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(retryAfterSeconds);
  if (error.status === 401 && token !== undefined) {
    headers["WWW-Authenticate"] =
      token === "missing"
        ? 'Bearer realm="todo"'
        : `Bearer realm="todo", error="invalid_token", error_description="${token === "expired" ? "token expired" : "token invalid"}"`;
  }
  if (currentVersion !== undefined) headers.ETag = `"${currentVersion}"`;
  return headers;
}
