import type { Services } from "@todo/core";
import type { Middleware } from "koa";
import type { AppState } from "../context.js";

/** Options of {@link authAttemptLimit}. */
export interface AuthAttemptLimitOptions {
  /** Clear the email's count after a 200 (login: its owner got in, so do not lock them out later). */
  readonly clearEmailOnSuccess?: boolean;
}

/**
 * Login and signup throttling (rules in `RateLimitService`): every `POST` counts against the client
 * IP and the body's email, failed attempts included. Mount it on the router path of the route it
 * guards (`api.use("/auth/login", …)`), so that it matches exactly what the route matches (case,
 * trailing slash), after the body parser.
 * @throws {DomainError} `rate_limited` (429) with `Retry-After` in seconds.
 */
export function authAttemptLimit(
  { rateLimits }: Pick<Services, "rateLimits">,
  options: AuthAttemptLimitOptions = {},
): Middleware<AppState> {
  return async (ctx, next) => {
    if (ctx.method !== "POST") {
      await next();
      return;
    }
    const body = ctx.request.body as { email?: unknown } | undefined;
    const email = typeof body?.email === "string" ? body.email : undefined;
    await rateLimits.consumeAuthAttempt(ctx.ip, email);
    await next();
    if (options.clearEmailOnSuccess && ctx.status === 200 && email !== undefined)
      await rateLimits.resetEmail(email);
  };
}
