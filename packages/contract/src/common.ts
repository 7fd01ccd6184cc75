import { z } from "zod";

/** Every `code` a problem+json body can carry, with the HTTP status it goes with (DESIGN §3). */
export const ERROR_STATUS = {
  malformed_json: 400,
  bad_request: 400,
  unauthorized: 401,
  token_expired: 401,
  invalid_credentials: 401,
  not_found: 404,
  method_not_allowed: 405,
  email_taken: 409,
  project_name_taken: 409,
  idempotency_conflict: 409,
  sync_token_expired: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  request_timeout: 408,
  request_header_fields_too_large: 431,
  internal: 500,
  unavailable: 503,
} as const;

/** A stable, machine-readable error code. */
export const ErrorCode = z
  .enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]])
  .meta({
    id: "ErrorCode",
    description:
      "A stable, machine-readable error code; branch on this, not on `title` or `detail`.",
  });
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One field-level problem: `path` is a JSON-pointer-like dotted path such as `tags.2`. */
export const FieldError = z
  .object({
    path: z.string().meta({
      description:
        "The offending field, dotted (`tags.2`), or `body`/`query`/`path` for the whole part.",
    }),
    message: z.string().meta({ description: "What is wrong with it, in plain English." }),
  })
  .meta({
    id: "FieldError",
    description: "One field-level problem.",
    example: { path: "title", message: "must not be blank" },
  });
export type FieldError = z.infer<typeof FieldError>;

/** An RFC 9457 problem details body (`application/problem+json`). */
export const Problem = z
  .object({
    type: z.string().meta({ description: "A URI identifying the problem type (one per `code`)." }),
    title: z.string().meta({ description: "A short summary of the problem type." }),
    status: z.number().int().meta({ description: "The HTTP status code." }),
    detail: z
      .string()
      .meta({ description: "What went wrong this time and what to do next; safe to show a user." }),
    code: ErrorCode,
    requestId: z.string().meta({
      description: "The `X-Request-Id` of this request; quote it when reporting a problem.",
    }),
    errors: z
      .array(FieldError)
      .optional()
      .meta({ description: "Every invalid field, on `validation_failed`." }),
  })
  .meta({
    id: "Problem",
    description:
      "An RFC 9457 problem details body, sent as `application/problem+json` for every error.",
    example: {
      type: "https://todo.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: "Invalid body: title must not be blank.",
      code: "validation_failed",
      requestId: "9f1c2a4e-0b7d-4c55-a0f3-3c1f6f9e2b10",
      errors: [{ path: "title", message: "must not be blank" }],
    },
  });
export type Problem = z.infer<typeof Problem>;

/** Text without U+0000 (NUL): PostgreSQL cannot store it in `text`. */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly the character this refuses.
const NUL_FREE = /^[^\u0000]*$/;

/**
 * The base of every string the API reads: refuses U+0000 (NUL), which PostgreSQL cannot store in
 * `text`, so that the API, the client and the CLI all refuse it before it travels. Documented in
 * OpenAPI as `pattern`.
 */
export const text = () =>
  z.string().regex(NUL_FREE, { error: "must not contain NUL (U+0000) characters" });

/** A calendar date `YYYY-MM-DD` that exists (no `2026-02-30`), without a time zone. */
export const IsoDate = z.iso
  .date({ error: "must be a date as YYYY-MM-DD" })
  // Year 0000 matches the pattern but is no date PostgreSQL can store (there is no year 0).
  .refine((value) => !value.startsWith("0000-"), { error: "must be a date as YYYY-MM-DD" })
  .meta({ description: "A date as `YYYY-MM-DD`." });
export type IsoDate = z.infer<typeof IsoDate>;

/** An ISO 8601 UTC timestamp with milliseconds, as every response writes them. */
export const Timestamp = z.iso.datetime().meta({ example: "2026-11-21T10:00:00.000Z" });
export type Timestamp = z.infer<typeof Timestamp>;
