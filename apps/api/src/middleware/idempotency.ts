import { IdempotencyService, type Services } from "@todo/core";
import type { Middleware } from "koa";
import type { Logger } from "pino";
import { actorOf, type AppState } from "../context.js";

/** The response headers stored with an idempotent response and sent again on a replay. */
const REPLAYED_HEADERS = ["content-type", "location", "etag"] as const;

/**
 * `Idempotency-Key` on a POST route (draft-ietf-httpapi-idempotency-key-header; rules in
 * {@link IdempotencyService}). Goes after `requireAuth` (keys are per user) on each route that
 * creates or changes something. Without the header the request simply runs.
 *
 * A replay answers with the stored status, body, `Content-Type`, `Location` and `ETag`, plus
 * `Idempotent-Replayed: true`. A 2xx response is stored; a 4xx/5xx releases the key.
 * @throws {DomainError} `validation_failed` (422) for a malformed key; `idempotency_conflict` 422
 *   (key used for another request) or 409 (first request still running).
 */
export function idempotencyKey(
  { idempotency }: Pick<Services, "idempotency">,
  logger?: Logger,
): Middleware<AppState> {
  return async (ctx, next) => {
    if (ctx.request.headers["idempotency-key"] === undefined) {
      await next();
      return;
    }
    const key = IdempotencyService.parseKey(ctx.get("idempotency-key"));
    const { userId } = actorOf(ctx);
    const fingerprint = IdempotencyService.fingerprint(ctx.method, ctx.path, ctx.request.body);

    const start = await idempotency.begin(userId, key, fingerprint);
    if (start.kind === "replay") {
      const { status, headers, body } = start.response;
      ctx.status = status;
      ctx.set({ ...headers, "Idempotent-Replayed": "true" });
      ctx.body = body ?? null;
      if (body === null) ctx.status = status; // setting a null body resets the status to 204
      return;
    }

    try {
      await next();
    } catch (error) {
      await idempotency.release(userId, key).catch((releaseError: unknown) => {
        logger?.warn(
          { err: releaseError, requestId: ctx.state.requestId },
          "could not release an idempotency key",
        );
      });
      throw error;
    }

    if (ctx.status >= 200 && ctx.status < 300) {
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = ctx.response.get(name);
        if (value) headers[name] = value;
      }
      const body = ctx.body === undefined || ctx.body === null ? null : JSON.stringify(ctx.body);
      // Send the stored text itself (Content-Type stays JSON), so first response and replays match byte for byte.
      if (body !== null) ctx.body = body;
      try {
        await idempotency.complete(userId, key, { status: ctx.status, headers, body });
      } catch (error) {
        // The work is done and must be reported; the key stays claimed until its lock times out.
        logger?.error(
          { err: error, requestId: ctx.state.requestId },
          "could not store an idempotent response",
        );
      }
    } else {
      await idempotency.release(userId, key);
    }
  };
}
