import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
} from "@asteasolutions/zod-to-openapi";
import { ZodType, type z } from "zod";
import {
  documentedHeadersOf,
  errorCodesOf,
  successResponsesOf,
  type Operation,
  type SuccessResponse,
} from "../operation.js";
import { headerRef, problemExamples, problemResponses, RESPONSE_HEADERS } from "./responses.js";

/** An OpenAPI 3.1 document as the generator returns it. */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;

/** The name of the bearer security scheme in `components/securitySchemes`. */
export const BEARER_AUTH = "bearerAuth";

const DESCRIPTION = `
A multi-user task service. Everything under \`/api/v1\` speaks JSON (camelCase); errors are
RFC 9457 \`application/problem+json\` with a stable \`code\` to branch on.

## Getting started
1. **Sign up**: open \`POST /api/v1/auth/signup\`, press *Try it out*, send an email and a password
   (8–128 characters). The response carries an \`accessToken\` and a \`refreshToken\`.
   Already have an account? Use \`POST /api/v1/auth/login\`.
2. **Authorize**: after a signup, login or refresh made from this page, it authorizes itself with
   the new access token (the padlocks close). Elsewhere, press *Authorize* at the top and paste the
   \`accessToken\` (just the token, no \`Bearer \` prefix). Every call from this page then sends
   \`Authorization: Bearer <accessToken>\`.
3. **Call the API**: \`POST /api/v1/tasks\` with \`{"title": "Buy milk"}\`, then \`GET /api/v1/tasks\`.

Access tokens live 15 minutes by default (\`expiresIn\` says how many seconds). Before one
expires, exchange the refresh token at \`POST /api/v1/auth/refresh\` for a new pair; each refresh
token works exactly once.

## Conventions
- **Your tasks only.** Task ids are your own numbers (1, 2, 3 …). Another user's task answers 404,
  exactly like a missing one.
- **Strict input.** Unknown fields are refused with 422; strings are trimmed.
- **Optimistic concurrency.** Task responses carry \`ETag: "<version>"\`. Send it back as
  \`If-Match\` on PATCH, PUT, DELETE, complete and reopen: if someone changed the task meanwhile you
  get 412 and nothing changes.
- **Safe retries.** Send an \`Idempotency-Key\` on POST: a retry with the same key and body replays
  the first response instead of acting twice.
- **Request ids.** Every response carries \`X-Request-Id\` (yours, if you sent one); problem bodies
  repeat it as \`requestId\`.
- **Bodies.** An operation documented without a request body ignores any body sent with it.
- **Limits.** JSON bodies up to 100 kB, nested at most 32 levels, with at most 1,000 items per
  array and 1,000 members per object (422 beyond); too many requests answer 429 with
  \`Retry-After\`.
- **Connections.** Before a request reaches any operation, the HTTP server itself answers a
  malformed request with 400 \`bad_request\`, a header section over its limit (16 kB by default)
  with 431 \`request_header_fields_too_large\`, and a client too slow to send its headers or body
  with 408 \`request_timeout\`, each as problem+json, and then closes the connection. These are
  not listed under each operation.
`.trim();

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

/** A success response carrying `X-Request-Id` and its declared headers. */
function successResponse({ description, content, headers = [] }: SuccessResponse): ResponseConfig {
  const media: Record<string, z.ZodType> | undefined =
    content === undefined
      ? undefined
      : content instanceof ZodType
        ? { "application/json": content }
        : content;
  return {
    description,
    headers: Object.fromEntries(
      ["X-Request-Id" as const, ...headers].map((name) => [name, headerRef(name)]),
    ),
    ...(media
      ? {
          content: Object.fromEntries(
            Object.entries(media).map(([type, schema]) => [type, { schema }]),
          ),
        }
      : {}),
  };
}

/** Registers one operation with its parameters, body, success responses and problems. */
function registerOperation(registry: OpenAPIRegistry, operation: Operation): void {
  const { params, query, body } = operation.request ?? {};
  const headers = documentedHeadersOf(operation);
  const responses = successResponsesOf(operation);
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
      ...(params ? { params } : {}),
      ...(query ? { query } : {}),
      ...(headers ? { headers } : {}),
      ...(body
        ? { body: { required: true, content: { "application/json": { schema: body } } } }
        : {}),
    },
    responses: {
      ...Object.fromEntries(
        Object.entries(responses).map(([status, response]) => [status, successResponse(response)]),
      ),
      ...problemResponses(errorCodesOf(operation)),
    },
  });
}

/**
 * Generates the OpenAPI 3.1 document of `operations` from their declarations and the zod
 * contract: every operation with its parameters, headers, bodies, success responses and exactly
 * the problem+json errors it can answer. Pure and deterministic; callers build it once and cache
 * it. `servers` is `/`, so "Try it out" in the interactive docs calls the instance that serves them.
 */
export function buildOpenApiDocument(operations: readonly Operation[]): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", BEARER_AUTH, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "The `accessToken` from signup, login or refresh (or, where the server is configured for one, a JWT from your identity provider).",
  });
  for (const [name, header] of Object.entries(RESPONSE_HEADERS))
    registry.registerComponent("headers", name, header);
  for (const [name, example] of Object.entries(problemExamples()))
    registry.registerComponent("examples", name, example);
  registry.registerComponent(
    "parameters",
    REQUEST_ID_PARAMETER.name,
    REQUEST_ID_PARAMETER.parameter,
  );
  for (const operation of operations) registerOperation(registry, operation);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "todo API",
      version: "1.0.0",
      description: DESCRIPTION,
    },
    servers: [{ url: "/", description: "This instance" }],
    tags: [
      { name: "Auth", description: "Accounts and sessions: signup, login, token refresh, logout." },
      { name: "Users", description: "Your profile, password and account." },
      { name: "Tasks", description: "Your tasks." },
      { name: "Projects", description: "Your projects: named lists of your tasks." },
      {
        name: "Sync",
        description: "Live clients: delta sync with sync tokens, and a stream of changes.",
      },
      { name: "Service", description: "Where to start, health checks and this documentation." },
    ],
  });
}
