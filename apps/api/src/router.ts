import Router from "@koa/router";
import { IfNoneMatch } from "@todo/contract";
import { DomainError, validationFailed } from "@todo/core";
import type { Middleware } from "koa";
import type { z } from "zod";
import { actorOf, type AppContext, type AppDeps, type AppState } from "./context.js";
import { ifNoneMatchHolds } from "./etag.js";
import { requireAuth } from "./middleware/auth.js";
import { jsonBody } from "./middleware/body.js";
import { idempotencyKey } from "./middleware/idempotency.js";
import { authAttemptLimit } from "./middleware/rate-limit.js";
import {
  routerPath,
  type Operation,
  type Reply,
  type RequestInput,
  type RequestSchemas,
} from "./operation.js";

/**
 * Mounts `operations` from their declarations and returns the middleware to `app.use` in order:
 * the routes, then what answers a request no operation took. Each operation runs: `requireAuth`
 * (with `auth`), the JSON body parser (with a `body`; without one, content is ignored), the
 * attempt limit, `Idempotency-Key`, then the contract parses path, query, headers and body, and
 * the handler answers.
 *
 * A request no operation takes is 404 `not_found`, or, on a path that exists, 405
 * `method_not_allowed` with `Allow` (RFC 9110 §15.5.6); `OPTIONS` on such a path is 204 with
 * `Allow` (RFC 9110 §9.3.7). A path an operation names literally (`/tasks/quick`) is that
 * resource alone, never also the `{id}` of a pattern beside it (`/tasks/{id}`).
 */
export function operationRoutes(
  deps: AppDeps,
  operations: readonly Operation[],
): Middleware<AppState>[] {
  const router = new Router<AppState>();
  for (const operation of operations) {
    const chain: Middleware<AppState>[] = [];
    if (operation.auth) chain.push(requireAuth(deps.services));
    if (operation.request?.body) chain.push(jsonBody());
    if (operation.attemptLimit) chain.push(authAttemptLimit(deps.services, operation.attemptLimit));
    if (operation.idempotent) chain.push(idempotencyKey(deps.services));
    chain.push(async (ctx) => {
      const input = parseRequest(operation, ctx);
      const { services } = ctx.state;
      const reply = await operation.handle(input, {
        ctx,
        deps: services ? { ...deps, services } : deps,
        operations,
        get actor() {
          return actorOf(ctx);
        },
      });
      if (!operation.stream) respond(ctx, operation, reply);
    });
    router[operation.method](routerPath(operation.path), ...chain);
  }

  /** The methods of each path named without parameters. */
  const literal = new Map<string, string[]>();
  for (const { path, method } of operations) {
    if (path.includes("{")) continue;
    const methods = literal.get(path) ?? [];
    methods.push(...(method === "get" ? ["HEAD", "GET"] : [method.toUpperCase()]));
    literal.set(path, methods);
  }
  const literalPaths: Middleware<AppState> = (ctx, next) => {
    const methods = literal.get(ctx.path);
    return !methods || methods.includes(ctx.method) ? next() : notAllowed(ctx, methods);
  };

  const unmatched: Middleware<AppState> = (ctx) =>
    notAllowed(ctx, [
      ...new Set(router.match(ctx.path, ctx.method).path.flatMap((layer) => layer.methods)),
    ]);
  return [literalPaths, router.routes() as Middleware<AppState>, unmatched];
}

/** Answers a request for a method the path does not take: 405 with `Allow`, or 404 with none. */
function notAllowed(ctx: AppContext, allowed: readonly string[]): void {
  if (allowed.length === 0) throw new DomainError("not_found", "There is no such resource.");
  ctx.set("Allow", allowed.join(", "));
  if (ctx.method === "OPTIONS") {
    ctx.status = 204;
    return;
  }
  throw new DomainError(
    "method_not_allowed",
    `${ctx.method} is not allowed on this resource; it allows ${allowed.join(", ")}.`,
  );
}

/** The parsed parts of a request, typed per operation by {@link defineOperation}. */
type ParsedRequest = RequestInput<RequestSchemas>;

/**
 * Parses each declared part of the request with its contract schema, path first.
 * @throws {DomainError} `validation_failed` (422) naming each bad field of the first bad part.
 */
function parseRequest(operation: Operation, ctx: AppContext): ParsedRequest {
  const { params, query, headers, body } = operation.request ?? {};
  const parse = (schema: z.ZodType | undefined, value: unknown, where: string): unknown => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (!result.success) throw validationFailed(result.error, where);
    return result.data;
  };
  const headerValues = headers
    ? Object.fromEntries(
        Object.keys(headers.shape).map((name) => [name, ctx.get(name) || undefined]),
      )
    : undefined;
  const routeParams = (ctx as AppContext & { params?: Record<string, string> }).params;
  return {
    params: parse(params, routeParams, "path"),
    query: parse(query, ctx.query, "query"),
    headers: parse(headers, headerValues, "headers"),
    body: parse(body, ctx.request.body, "body"),
  } as never;
}

/** Writes `reply`; a conditional read whose `If-None-Match` matches becomes 304 without a body. */
function respond(ctx: AppContext, operation: Operation, reply: Reply): void {
  ctx.status = reply.status ?? 200;
  if (reply.headers) ctx.set(reply.headers);
  const etag = reply.headers?.ETag;
  const condition = ctx.get("if-none-match");
  if (operation.conditionalRead && ctx.status === 200 && etag && condition) {
    const parsed = IfNoneMatch.safeParse(condition);
    if (parsed.success && ifNoneMatchHolds(parsed.data, etag)) {
      ctx.status = 304;
      return;
    }
  }
  if (reply.type) ctx.type = reply.type;
  if (reply.body !== undefined) ctx.body = reply.body;
}
