import type { Middleware } from "koa";
import type { Logger } from "pino";
import type { AppState } from "../context.js";
import { problemHeaders, toDomainError, toProblem } from "../problem.js";

/**
 * The outermost handler: every error becomes `application/problem+json` (RFC 9457). Unexpected
 * errors are logged with their stack and answered with a generic 500 that reveals nothing.
 */
export function problemDetails(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.throw(404);
    } catch (thrown) {
      const { error, unexpected, headers } = toDomainError(thrown);
      if (unexpected)
        logger.error({ err: thrown, requestId: ctx.state.requestId }, "unhandled error");
      ctx.status = error.status;
      ctx.set({ ...headers, ...problemHeaders(error) });
      ctx.type = "application/problem+json";
      ctx.body = toProblem(error, ctx.state.requestId);
    }
  };
}
