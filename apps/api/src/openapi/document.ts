import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { BEARER_AUTH, registerPaths } from "./paths.js";
import { problemExamples, RESPONSE_HEADERS } from "./responses.js";

/** An OpenAPI 3.1 document as the generator returns it. */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;

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
- **Limits.** Bodies up to 100 kB; too many requests answer 429 with \`Retry-After\`.
`.trim();

/**
 * Generates the OpenAPI 3.1 document of the API from the zod contract in `@todo/core`: every route
 * with its parameters, headers, bodies, success responses and problem+json errors. Pure and
 * deterministic; callers build it once and cache it. `servers` is `/`, so "Try it out" in the
 * interactive docs calls the instance that serves them.
 */
export function buildOpenApiDocument(): OpenApiDocument {
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
  registerPaths(registry);
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
      { name: "Service", description: "Health checks and this documentation." },
    ],
  });
}
