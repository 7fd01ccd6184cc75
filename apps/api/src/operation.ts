import type { Actor } from "@todo/core";
import { IdempotencyKey, IfNoneMatch, type ErrorCode } from "@todo/contract";
import { z } from "zod";
import type { AppContext, AppDeps } from "./context.js";
import type { ResponseHeaderName } from "./openapi/responses.js";

/** The methods operations are declared with (HEAD comes with GET; OPTIONS is answered for all). */
export type Method = "get" | "post" | "put" | "patch" | "delete";

/** The OpenAPI tags operations are grouped under. */
export type OperationTag = "Auth" | "Users" | "Tasks" | "Projects" | "Sync" | "Service";

/**
 * The contract schemas of a request's parts. Header schemas are keyed by the header's canonical
 * name (`If-Match`) and read case-insensitively.
 */
export interface RequestSchemas {
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  /** A JSON body. Without one, the operation ignores any content a request carries. */
  readonly body?: z.ZodType;
}

/** The parts of a request as the contract parsed them (`undefined` for a part not declared). */
export type RequestInput<S extends RequestSchemas> = {
  readonly [K in keyof RequestSchemas]-?: S[K] extends z.ZodType ? z.output<S[K]> : undefined;
};

/** A success response as documented: its description, body schema and the headers it carries. */
export interface SuccessResponse {
  readonly description: string;
  /** The body: a schema sent as `application/json`, or one schema per media type. */
  readonly content?: z.ZodType | { readonly [mediaType: string]: z.ZodType };
  /** Headers every such response carries, besides `X-Request-Id` (which all carry). */
  readonly headers?: readonly ResponseHeaderName[];
}

/** What a handler answers: a status (default 200), a body and response headers. */
export interface Reply {
  readonly status?: number;
  /** A JSON value, or a string/Buffer sent with `type`. Absent: no body. */
  readonly body?: unknown;
  /** The media type of a string or Buffer body. */
  readonly type?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a handler may use besides its parsed input. */
export interface HandlerContext {
  readonly ctx: AppContext;
  /**
   * The app's dependencies; under an `Idempotency-Key`, `services` run in the transaction that
   * holds the key (use no other way to the database there).
   */
  readonly deps: AppDeps;
  /** The authenticated caller (operations with `auth` only). */
  readonly actor: Actor;
  /** Every operation the app serves (the OpenAPI document is built from them). */
  readonly operations: readonly Operation[];
}

/**
 * One operation of the API, declared once: the router mounts it from this declaration and the
 * OpenAPI 3.1 document is generated from it, so the two cannot drift apart. The statuses it can
 * answer follow from the declaration: 500 always; 401, 429 and 503 with `auth`; 400, 413, 415 and
 * 422 with a `body`; 422 with params, query or headers; 429 with `attemptLimit`; 409 and 422 with
 * `idempotent`; 304 with `conditionalRead`; plus the domain `errors` listed.
 */
export interface Operation<S extends RequestSchemas = RequestSchemas> {
  readonly operationId: string;
  readonly method: Method;
  /** The path in OpenAPI form, such as `/api/v1/tasks/{id}`. */
  readonly path: `/${string}`;
  readonly tag: OperationTag;
  readonly summary: string;
  readonly description?: string;
  /** Needs `Authorization: Bearer <access token>` (RFC 6750), counted against the user's limit. */
  readonly auth?: boolean;
  /**
   * The login/signup attempt limit per client IP and per email (`RateLimitService`).
   * `clearEmailOnSuccess`: a 200 clears the email's count (a login let its owner in).
   */
  readonly attemptLimit?: { readonly clearEmailOnSuccess?: boolean };
  /** Honours `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header). */
  readonly idempotent?: boolean;
  /**
   * A read that answers 304 Not Modified when `If-None-Match` matches the `ETag` its handler sets
   * (RFC 9110 §13.1.2, evaluated as an origin server: whatever `Cache-Control` the request has).
   */
  readonly conditionalRead?: boolean;
  /**
   * The handler writes the response itself and keeps it open (a Server-Sent Events stream): its
   * reply is not written. Errors it throws before it starts writing still answer problem+json.
   */
  readonly stream?: boolean;
  readonly request?: S;
  /** Success responses by status. */
  readonly responses: { readonly [status: number]: SuccessResponse };
  /** Domain error codes the operation can answer besides those its other fields imply. */
  readonly errors?: readonly ErrorCode[];
  /** Parse is done: call one service method and shape the response. */
  handle(input: RequestInput<S>, context: HandlerContext): Promise<Reply> | Reply;
}

/** Declares an operation, typing its handler's input from its request schemas. */
export function defineOperation<S extends RequestSchemas = Record<never, never>>(
  operation: Operation<S>,
): Operation {
  return operation;
}

const BODY_ERRORS: readonly ErrorCode[] = [
  "malformed_json",
  "payload_too_large",
  "unsupported_media_type",
  "validation_failed",
];
/** Auth: no/invalid/expired token, the per-user limit, and the session check's database. */
const AUTH_ERRORS: readonly ErrorCode[] = [
  "unauthorized",
  "token_expired",
  "rate_limited",
  "unavailable",
];

/** Every error code `operation` can answer, as its declaration implies (see {@link Operation}). */
export function errorCodesOf(operation: Operation): ErrorCode[] {
  const { request = {} } = operation;
  return [
    ...new Set<ErrorCode>([
      ...(operation.auth ? AUTH_ERRORS : []),
      ...(request.body ? BODY_ERRORS : []),
      ...(request.params || request.query || request.headers
        ? (["validation_failed"] as const)
        : []),
      ...(operation.attemptLimit ? (["rate_limited"] as const) : []),
      ...(operation.idempotent ? (["idempotency_conflict", "validation_failed"] as const) : []),
      ...(operation.errors ?? []),
      "internal",
    ]),
  ];
}

/**
 * The request headers `operation` documents: its own, plus `If-None-Match` for a conditional
 * read and `Idempotency-Key` for an idempotent one (read by their middleware).
 */
export function documentedHeadersOf(operation: Operation): z.ZodObject | undefined {
  const shape: Record<string, z.ZodType> = {
    ...operation.request?.headers?.shape,
    ...(operation.conditionalRead ? { "If-None-Match": IfNoneMatch.optional() } : {}),
    ...(operation.idempotent ? { "Idempotency-Key": IdempotencyKey.optional() } : {}),
  };
  return Object.keys(shape).length ? z.object(shape) : undefined;
}

/** Every success response `operation` can answer, with 304 for a conditional read. */
export function successResponsesOf(operation: Operation): Record<number, SuccessResponse> {
  const responses: Record<number, SuccessResponse> = { ...operation.responses };
  if (operation.conditionalRead) {
    responses[304] = {
      description: "Not modified: the `ETag` still matches `If-None-Match`.",
      headers: ["ETag"],
    };
  }
  return responses;
}

/** The path in @koa/router form: `/tasks/{id}` → `/tasks/:id`. */
export const routerPath = (path: string): string => path.replace(/\{(\w+)\}/g, ":$1");
