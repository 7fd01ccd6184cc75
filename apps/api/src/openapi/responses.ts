import type { ResponseConfig } from "@asteasolutions/zod-to-openapi";
import { DomainError } from "@todo/core";
import { ERROR_STATUS, Problem, type ErrorCode } from "@todo/contract";
import { toProblem } from "../problem.js";

/** The `$ref` of a header registered under `components/headers` by `buildOpenApiDocument`. */
export const headerRef = (name: ResponseHeaderName) => ({ $ref: `#/components/headers/${name}` });

/** Response headers described once in `components/headers`. */
export const RESPONSE_HEADERS = {
  "X-Request-Id": {
    description:
      "The request id: yours from `X-Request-Id` when it was safe to echo, else a new UUID. Also in every problem body.",
    schema: { type: "string" },
    required: true,
  },
  ETag: {
    description:
      'A strong validator (RFC 9110 §8.8.3). For a task it is its version, such as `"2"`: send it back in `If-Match` to change the task only if nobody else did, or in `If-None-Match` to read it only if it changed.',
    schema: { type: "string" },
    required: true,
  },
  Location: {
    description: "The URL of the created task.",
    schema: { type: "string" },
    required: true,
  },
  "Idempotent-Replayed": {
    description:
      "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`.",
    schema: { type: "string", const: "true" },
    required: false,
  },
  "WWW-Authenticate": {
    description: "The Bearer challenge (RFC 6750 §3).",
    schema: { type: "string" },
    required: true,
  },
  "Retry-After": {
    description: "Seconds to wait before trying again (RFC 9110 §10.2.3).",
    schema: { type: "integer", minimum: 0 },
    required: true,
  },
} as const;
export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

/** What each documented status means, for the response's description. */
const STATUS_DESCRIPTIONS: Partial<Record<number, string>> = {
  400: "The body is not valid JSON.",
  401: "No valid credentials: log in (or refresh) and send `Authorization: Bearer <accessToken>`.",
  404: "No such resource. Another user's task answers exactly like a missing one.",
  409: "A conflict with the current state.",
  410: "The sync token is older than the changes kept: sync again without `since`.",
  412: "`If-Match` does not match the task's current version: nothing was changed. `ETag` carries the current version; fetch the task again and retry.",
  413: "The body is larger than 100 kB.",
  415: "The body is not `application/json`.",
  422: "The request is well-formed but invalid: `errors` names each bad field.",
  429: "Too many requests: wait `Retry-After` seconds.",
  408: "The client was too slow to send its request.",
  431: "The request's header section is too large.",
  500: "Something went wrong on our side; nothing internal is revealed. Report the `requestId`.",
  503: "The database is not reachable.",
};

/** A sample `detail` per code, for the examples (the real ones come from the services). */
const SAMPLE_DETAILS: Partial<Record<ErrorCode, string>> = {
  malformed_json: "The request body is not valid JSON (it must be a JSON object).",
  unauthorized:
    "Authentication is required: send an access token as `Authorization: Bearer <token>`.",
  token_expired: "The access token has expired. Refresh it or log in again.",
  invalid_credentials: "The email or password is incorrect.",
  not_found: "Task 3 was not found.",
  email_taken: "An account with this email already exists. Log in instead.",
  project_name_taken:
    'You already have a project named "Home". Choose another name, or use that project.',
  idempotency_conflict:
    "A request with this Idempotency-Key is still being processed. Retry in a moment.",
  sync_token_expired:
    "This sync token is older than the changes kept. Sync again without `since` for the full state.",
  precondition_failed:
    "The task has changed since you read it (its version is now 3). Fetch it again and retry.",
  payload_too_large: "The request body is larger than 100 kB.",
  unsupported_media_type: "Send the request body as application/json.",
  validation_failed: "Invalid body: title must not be blank.",
  rate_limited: "Too many login attempts for this email. Retry in 30 seconds.",
  request_timeout: "The request was not received in time.",
  request_header_fields_too_large: "The request's header section is larger than 16384 bytes.",
  internal: "Something went wrong on our side. Try again; if it persists, report the request id.",
  unavailable: "The database is not reachable.",
};

/** Headers a problem with each code carries besides `X-Request-Id`. */
const CODE_HEADERS: Partial<Record<ErrorCode, ResponseHeaderName[]>> = {
  unauthorized: ["WWW-Authenticate"],
  token_expired: ["WWW-Authenticate"],
  rate_limited: ["Retry-After"],
  idempotency_conflict: ["Retry-After"],
  precondition_failed: ["ETag"],
  unavailable: ["Retry-After"],
};

/** `X-Request-Id` plus each header the codes carry; required only when every one of them carries it. */
function problemHeaders(codes: readonly ErrorCode[]) {
  const names = [...new Set(codes.flatMap((code) => CODE_HEADERS[code] ?? []))];
  return {
    "X-Request-Id": headerRef("X-Request-Id"),
    ...Object.fromEntries(
      names.map((name) => {
        const required = codes.every((code) => CODE_HEADERS[code]?.includes(name));
        const carriedBy = codes.filter((code) => CODE_HEADERS[code]?.includes(name));
        const description = required
          ? RESPONSE_HEADERS[name].description
          : `${RESPONSE_HEADERS[name].description} Sent with \`${carriedBy.join("`, `")}\`.`;
        return [name, { ...RESPONSE_HEADERS[name], description, required }];
      }),
    ),
  };
}

const EXAMPLE_REQUEST_ID = "9f1c2a4e-0b7d-4c55-a0f3-3c1f6f9e2b10";

/** The example name of the 422 an `Idempotency-Key` reused with another body answers. */
const KEY_REUSED = "idempotency_key_reused";

/**
 * One example problem body per error code, for `components/examples`, each built by the API's own
 * problem mapper ({@link toProblem}) so `type` and `title` are the ones clients will see.
 */
export function problemExamples(): Record<string, { summary: string; value: Problem }> {
  const examples: Record<string, { summary: string; value: Problem }> = {};
  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    const problem = toProblem(
      new DomainError(code, SAMPLE_DETAILS[code] ?? "See `title`."),
      EXAMPLE_REQUEST_ID,
    );
    if (code === "validation_failed")
      problem.errors = [{ path: "title", message: "must not be blank" }];
    examples[code] = { summary: problem.title, value: problem };
  }
  const reused = toProblem(
    new DomainError(
      "idempotency_conflict",
      "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
    ),
    EXAMPLE_REQUEST_ID,
  );
  examples[KEY_REUSED] = {
    summary: "Idempotency key reused with another body",
    value: { ...reused, status: 422 },
  };
  return examples;
}

/**
 * The `application/problem+json` (RFC 9457) responses for the given error codes, one per HTTP
 * status, each referring to the examples of {@link problemExamples} by code. `idempotency_conflict`
 * is documented under 409 (a retry while the first is in flight) and 422 (the same key with
 * another body).
 */
export function problemResponses(codes: readonly ErrorCode[]): Record<string, ResponseConfig> {
  const byStatus = new Map<number, string[]>();
  const add = (status: number, example: string) =>
    byStatus.set(status, [...(byStatus.get(status) ?? []), example]);
  for (const code of codes) {
    add(ERROR_STATUS[code], code);
    if (code === "idempotency_conflict") add(422, KEY_REUSED);
  }
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, examples] of [...byStatus].sort(([a], [b]) => a - b)) {
    const statusCodes = [
      ...new Set(
        examples.map((example) => (example === KEY_REUSED ? "idempotency_conflict" : example)),
      ),
    ] as ErrorCode[];
    responses[status] = {
      description: `${STATUS_DESCRIPTIONS[status] ?? "An error."} \`code\`: ${statusCodes.map((code) => `\`${code}\``).join(", ")}.`,
      headers: problemHeaders(
        statusCodes.filter((code) => !(status === 422 && code === "idempotency_conflict")),
      ),
      content: {
        "application/problem+json": {
          schema: Problem,
          examples: Object.fromEntries(
            examples.map((name) => [name, { $ref: `#/components/examples/${name}` }]),
          ),
        },
      },
    };
  }
  return responses;
}
