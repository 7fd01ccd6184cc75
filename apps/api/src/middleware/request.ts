import { randomUUID } from "node:crypto";
import { RequestId } from "@todo/contract";
import type { Middleware } from "koa";
import type { Logger } from "pino";
import type { AppState } from "../context.js";

/**
 * Assigns the request id (a caller's `X-Request-Id` when it is safe to echo, else a UUID), sets it
 * on the response, and writes one JSON log line per request. Headers and bodies are never logged,
 * so tokens and passwords cannot leak into logs.
 */
export function requestContext(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get("x-request-id");
    ctx.state.requestId = RequestId.safeParse(incoming).success ? incoming : randomUUID();
    ctx.set("X-Request-Id", ctx.state.requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      if (logger.isLevelEnabled("info")) {
        logger.info({
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          userId: ctx.state.actor?.userId,
        });
      }
    }
  };
}
