import bodyParser from "koa-bodyparser";
import type { Middleware } from "koa";
import type { AppState } from "../context.js";
import { DomainError } from "@todo/core";

/** The largest accepted request body (DESIGN §3). */
export const BODY_LIMIT = "100kb";

/**
 * JSON bodies only, up to 100 kB, objects and arrays only (strict), parsed into
 * `ctx.request.body`; a request without a body gets `{}`, as an empty JSON body would. A body of
 * another media type is refused with 415 rather than silently ignored.
 * @throws {DomainError} `unsupported_media_type` (415), `payload_too_large` (413) or
 *   `malformed_json` (400).
 */
export function jsonBody(): Middleware<AppState> {
  const parser = bodyParser({
    enableTypes: ["json"],
    jsonLimit: BODY_LIMIT,
    strict: true,
  }) as Middleware<AppState>;
  return async (ctx, next) => {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get("transfer-encoding") !== "";
    if (!hasBody) {
      ctx.request.body = {};
      await next();
      return;
    }
    if (!ctx.is("application/json", "application/*+json")) {
      throw new DomainError("unsupported_media_type", "Send the request body as application/json.");
    }
    try {
      await parser(ctx, async () => {});
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413)
        throw new DomainError("payload_too_large", "The request body is larger than 100 kB.");
      if (status === 415)
        throw new DomainError(
          "unsupported_media_type",
          "Send the request body as application/json.",
        );
      throw new DomainError(
        "malformed_json",
        "The request body is not valid JSON (it must be a JSON object).",
      );
    }
    await next();
  };
}
