import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from "@asteasolutions/zod-to-openapi";
import {
  AuthSession,
  Health,
  LoginRequest,
  PasswordChange,
  Readiness,
  RefreshRequest,
  SignupRequest,
  Task,
  TaskCreate,
  TaskId,
  TaskList,
  TaskListQuery,
  TaskReplace,
  TaskUpdate,
  User,
  UserUpdate,
  type ErrorCode,
} from "@todo/contract";
import { z } from "zod";
import { headerRef, problemResponses, type ResponseHeaderName } from "./responses.js";

/** The name of the bearer security scheme in `components/securitySchemes`. */
export const BEARER_AUTH = "bearerAuth";

/** The prefix of every versioned route (DESIGN §3); `/health`, `/ready` and the docs sit outside it. */
const API = "/api/v1";

// Header parameters carry no `example`: Swagger UI would send it on every "Try it out", and a fixed
// If-Match, Idempotency-Key or request id would turn a first try into a 412, a replay or a confusing log.
const IfMatchHeader = z.string().optional().meta({
  description:
    'Only apply the change if the task\'s version is still this ETag (such as `"2"`); otherwise 412 and nothing changes.',
});
const IfNoneMatchHeader = z.string().optional().meta({
  description:
    'Answer 304 Not Modified (no body) if the task\'s ETag is still this one (such as `"2"`).',
});
const IdempotencyKeyHeader = z.string().min(1).max(255).optional().meta({
  description:
    "A unique key (1–255 visible ASCII characters; a new UUID per action, say) that makes a retry safe: the same key and request within 24 h replays the first response (with `Idempotent-Replayed: true`) instead of acting twice; the same key with another request is 422; a retry while the first is still running is 409.",
});

const TaskPath = z.object({ id: TaskId });

type Content = NonNullable<ResponseConfig["content"]>;
const json = (schema: z.ZodType): Content => ({ "application/json": { schema } });

/** A success response carrying `X-Request-Id` and the given headers. */
function success(
  description: string,
  content?: Content,
  headers: ResponseHeaderName[] = [],
): ResponseConfig {
  return {
    description,
    headers: Object.fromEntries(
      ["X-Request-Id" as const, ...headers].map((name) => [name, headerRef(name)]),
    ),
    ...(content ? { content } : {}),
  };
}

/** One operation as the API serves it; `register` turns it into an OpenAPI operation. */
interface Operation {
  method: RouteConfig["method"];
  /** The path in OpenAPI form (`/api/v1/tasks/{id}`). */
  path: string;
  operationId: string;
  tag: "Auth" | "Users" | "Tasks" | "Service";
  summary: string;
  description?: string;
  /** Needs `Authorization: Bearer <accessToken>`: adds the security requirement and 401/429. */
  auth: boolean;
  body?: z.ZodType;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: Record<string, z.ZodType>;
  responses: Record<string, ResponseConfig>;
  /** Error codes this operation can answer besides the ones `auth`, `body` and every route imply. */
  errors?: ErrorCode[];
}

const BODY_ERRORS: ErrorCode[] = [
  "malformed_json",
  "payload_too_large",
  "unsupported_media_type",
  "validation_failed",
];
const AUTH_ERRORS: ErrorCode[] = ["unauthorized", "token_expired", "rate_limited"];

/** `X-Request-Id` on requests: described once in `components/parameters`. */
const REQUEST_ID_PARAMETER = {
  name: "X-Request-Id",
  ref: { $ref: "#/components/parameters/X-Request-Id" },
  parameter: {
    name: "X-Request-Id",
    in: "header",
    required: false,
    description:
      "Your id for this request, echoed back when it is 1–128 letters, digits or `._:-`; otherwise a UUID is assigned.",
    schema: { type: "string" },
  },
} as const;

function register(registry: OpenAPIRegistry, operation: Operation): void {
  const errors = new Set<ErrorCode>([
    ...(operation.auth ? AUTH_ERRORS : []),
    ...(operation.body ? BODY_ERRORS : []),
    ...(operation.errors ?? []),
    "internal",
  ]);
  registry.registerPath({
    method: operation.method,
    path: operation.path,
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    security: operation.auth ? [{ [BEARER_AUTH]: [] }] : [],
    parameters: [REQUEST_ID_PARAMETER.ref],
    request: {
      ...(operation.params ? { params: operation.params } : {}),
      ...(operation.query ? { query: operation.query } : {}),
      ...(operation.headers ? { headers: z.object(operation.headers) } : {}),
      ...(operation.body ? { body: { required: true, content: json(operation.body) } } : {}),
    },
    responses: { ...operation.responses, ...problemResponses([...errors]) },
  });
}

/**
 * Registers every route the API serves (DESIGN §3) with its parameters, headers, bodies, success
 * responses and every problem+json error it can answer. Shapes come from the zod contract.
 */
export function registerPaths(registry: OpenAPIRegistry): void {
  registry.registerComponent(
    "parameters",
    REQUEST_ID_PARAMETER.name,
    REQUEST_ID_PARAMETER.parameter,
  );
  const session = (status: string, description: string) => ({
    [status]: success(description, json(AuthSession)),
  });
  const taskResponse = (description: string, replayable = false) => ({
    200: success(description, json(Task), [
      "ETag",
      ...(replayable ? (["Idempotent-Replayed"] as const) : []),
    ]),
  });
  const ifMatch = { "If-Match": IfMatchHeader };
  const idempotencyKey = { "Idempotency-Key": IdempotencyKeyHeader };
  const operations: Operation[] = [
    {
      method: "post",
      path: `${API}/auth/signup`,
      operationId: "signup",
      tag: "Auth",
      summary: "Create an account and log in",
      description:
        "Returns an access token (send it as `Authorization: Bearer …`) and a refresh token.",
      auth: false,
      body: SignupRequest,
      responses: session("201", "The account was created; you are logged in."),
      errors: ["email_taken", "rate_limited"],
    },
    {
      method: "post",
      path: `${API}/auth/login`,
      operationId: "login",
      tag: "Auth",
      summary: "Log in",
      description:
        "An unknown email and a wrong password answer the same 401 `invalid_credentials`.",
      auth: false,
      body: LoginRequest,
      responses: session("200", "You are logged in."),
      errors: ["invalid_credentials", "rate_limited"],
    },
    {
      method: "post",
      path: `${API}/auth/refresh`,
      operationId: "refresh",
      tag: "Auth",
      summary: "Exchange a refresh token for a new token pair",
      description:
        "Refresh tokens rotate: each works once. Presenting one that was already used revokes that whole session (reuse detection).",
      auth: false,
      body: RefreshRequest,
      responses: session(
        "200",
        "A new access token and refresh token; the old refresh token no longer works.",
      ),
      errors: ["unauthorized"],
    },
    {
      method: "post",
      path: `${API}/auth/logout`,
      operationId: "logout",
      tag: "Auth",
      summary: "Revoke a session",
      description:
        "Revokes the session the refresh token belongs to. An unknown token is not an error.",
      auth: false,
      body: RefreshRequest,
      responses: { 204: success("The session is revoked.") },
    },
    {
      method: "get",
      path: `${API}/users/me`,
      operationId: "getMe",
      tag: "Users",
      summary: "Your profile",
      auth: true,
      responses: { 200: success("Your profile.", json(User)) },
      errors: ["not_found"],
    },
    {
      method: "patch",
      path: `${API}/users/me`,
      operationId: "updateMe",
      tag: "Users",
      summary: "Change your profile",
      auth: true,
      body: UserUpdate,
      responses: { 200: success("Your updated profile.", json(User)) },
      errors: ["not_found"],
    },
    {
      method: "delete",
      path: `${API}/users/me`,
      operationId: "deleteMe",
      tag: "Users",
      summary: "Delete your account",
      description: "Deletes the account with all its tasks and sessions. This cannot be undone.",
      auth: true,
      responses: { 204: success("The account is deleted.") },
      errors: ["not_found"],
    },
    {
      method: "post",
      path: `${API}/users/me/password`,
      operationId: "changePassword",
      tag: "Users",
      summary: "Change your password",
      description: "Revokes your other sessions; the one making this call stays logged in.",
      auth: true,
      body: PasswordChange,
      responses: { 204: success("The password is changed.") },
      errors: ["invalid_credentials"],
    },
    {
      method: "get",
      path: `${API}/tasks`,
      operationId: "listTasks",
      tag: "Tasks",
      summary: "List your tasks",
      description:
        "Filter, sort and page through your tasks (deleted ones are left out). Offset paging (`page`, the default, page 1) also returns `total` and `totalPages`; for keyset paging pass `meta.nextCursor` as `cursor` until it is `null`, which costs the same however deep you go.",
      auth: true,
      query: TaskListQuery,
      responses: { 200: success("A page of tasks.", json(TaskList)) },
      errors: ["validation_failed"],
    },
    {
      method: "post",
      path: `${API}/tasks`,
      operationId: "createTask",
      tag: "Tasks",
      summary: "Create a task",
      auth: true,
      body: TaskCreate,
      headers: idempotencyKey,
      responses: {
        201: success("The created task.", json(Task), ["Location", "ETag", "Idempotent-Replayed"]),
      },
      errors: ["idempotency_conflict"],
    },
    {
      method: "get",
      path: `${API}/tasks/{id}`,
      operationId: "getTask",
      tag: "Tasks",
      summary: "Get one of your tasks",
      auth: true,
      params: TaskPath,
      headers: { "If-None-Match": IfNoneMatchHeader },
      responses: {
        ...taskResponse("The task."),
        304: success("Not modified: the task's ETag still matches `If-None-Match`.", undefined, [
          "ETag",
        ]),
      },
      errors: ["not_found", "validation_failed"],
    },
    {
      method: "patch",
      path: `${API}/tasks/{id}`,
      operationId: "updateTask",
      tag: "Tasks",
      summary: "Change some fields of a task",
      auth: true,
      params: TaskPath,
      headers: ifMatch,
      body: TaskUpdate,
      responses: taskResponse("The updated task."),
      errors: ["not_found", "precondition_failed"],
    },
    {
      method: "put",
      path: `${API}/tasks/{id}`,
      operationId: "replaceTask",
      tag: "Tasks",
      summary: "Replace a task's editable state",
      auth: true,
      params: TaskPath,
      headers: ifMatch,
      body: TaskReplace,
      responses: taskResponse("The replaced task."),
      errors: ["not_found", "precondition_failed"],
    },
    {
      method: "delete",
      path: `${API}/tasks/{id}`,
      operationId: "deleteTask",
      tag: "Tasks",
      summary: "Delete a task",
      description: "A soft delete: `POST /api/v1/tasks/{id}/restore` brings it back.",
      auth: true,
      params: TaskPath,
      headers: ifMatch,
      responses: { 204: success("The task is deleted.") },
      errors: ["not_found", "precondition_failed", "validation_failed"],
    },
    ...(["complete", "reopen"] as const).map((action): Operation => ({
      method: "post",
      path: `${API}/tasks/{id}/${action}`,
      operationId: `${action}Task`,
      tag: "Tasks",
      summary: action === "complete" ? "Mark a task completed" : "Mark a task pending again",
      description:
        action === "complete"
          ? "Idempotent: completing a completed task changes nothing. Sets `completedAt`."
          : "Idempotent: reopening a pending task changes nothing. Clears `completedAt`.",
      auth: true,
      params: TaskPath,
      headers: { ...ifMatch, ...idempotencyKey },
      responses: taskResponse("The task.", true),
      errors: ["not_found", "precondition_failed", "validation_failed", "idempotency_conflict"],
    })),
    {
      method: "post",
      path: `${API}/tasks/{id}/restore`,
      operationId: "restoreTask",
      tag: "Tasks",
      summary: "Undo the deletion of a task",
      auth: true,
      params: TaskPath,
      headers: idempotencyKey,
      responses: taskResponse("The restored task.", true),
      errors: ["not_found", "validation_failed", "idempotency_conflict"],
    },
    {
      method: "get",
      path: "/health",
      operationId: "health",
      tag: "Service",
      summary: "Liveness: the process is up",
      auth: false,
      responses: { 200: success("The process is up.", json(Health)) },
    },
    {
      method: "get",
      path: "/ready",
      operationId: "ready",
      tag: "Service",
      summary: "Readiness: the database answers",
      auth: false,
      responses: { 200: success("Ready to serve.", json(Readiness)) },
      errors: ["unavailable"],
    },
    {
      method: "get",
      path: "/openapi.json",
      operationId: "openApiDocument",
      tag: "Service",
      summary: "This OpenAPI 3.1 document",
      auth: false,
      headers: {
        "If-None-Match": z
          .string()
          .optional()
          .meta({ description: "Answer 304 if the document is unchanged." }),
      },
      responses: {
        200: success(
          "The document, generated from the zod contract.",
          json(z.record(z.string(), z.unknown())),
          ["ETag"],
        ),
        304: success("Not modified.", undefined, ["ETag"]),
      },
    },
    {
      method: "get",
      path: "/docs",
      operationId: "apiDocs",
      tag: "Service",
      summary: "This interactive documentation (Swagger UI)",
      description:
        "Served with all its assets by the API itself under `/docs/`, so it works offline.",
      auth: false,
      responses: { 200: success("The HTML page.", { "text/html": { schema: z.string() } }) },
    },
  ];
  for (const operation of operations) register(registry, operation);
}
