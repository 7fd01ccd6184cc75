import type { Services } from "@todo/core";
import { unauthorized } from "@todo/core";
import type { Middleware } from "koa";
import type { AppState } from "../context.js";

/**
 * Requires `Authorization: Bearer <access token>` (RFC 6750), sets `ctx.state.actor` and counts the
 * request against the user's rate limit.
 * @throws {DomainError} `unauthorized` or `token_expired` (401, with `WWW-Authenticate`);
 *   `rate_limited` (429, with `Retry-After`).
 */
export function requireAuth(services: Services): Middleware<AppState> {
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get("authorization"));
    if (!match?.[1]) throw unauthorized();
    ctx.state.actor = await services.auth.authenticate(match[1]);
    await services.rateLimits.consumeUserRequest(ctx.state.actor.userId);
    await next();
  };
}
