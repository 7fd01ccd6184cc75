import cors from "@koa/cors";
import type { Config } from "@todo/config";
import type { Middleware } from "koa";
import type { AppState } from "../context.js";

/** Request headers a browser may send cross-origin. */
export const CORS_ALLOWED_HEADERS = [
  "Authorization",
  "Content-Type",
  "If-Match",
  "If-None-Match",
  "Idempotency-Key",
  "Last-Event-ID",
  "X-Request-Id",
];
/** Response headers a browser script may read cross-origin. */
export const CORS_EXPOSED_HEADERS = [
  "ETag",
  "Location",
  "Retry-After",
  "X-Request-Id",
  "Idempotent-Replayed",
  "WWW-Authenticate",
];

/**
 * CORS (Fetch standard) for the origins in `CORS_ORIGINS`; `*` allows every origin. Credentials
 * (cookies) are never allowed: the API is authorised by bearer tokens only. A request from any
 * other origin gets no CORS headers, so the browser withholds the response from its script.
 * Returns `undefined` when no origin is allowed: then no response varies by origin, and there is
 * nothing to do per request.
 */
export function corsPolicy(config: Pick<Config, "corsOrigins">): Middleware<AppState> | undefined {
  if (config.corsOrigins.length === 0) return undefined;
  const anyOrigin = config.corsOrigins.includes("*");
  const allowed = new Set(config.corsOrigins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get("origin");
      if (anyOrigin) return "*";
      return allowed.has(origin) ? origin : "";
    },
    credentials: false,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  }) as Middleware<AppState>;
}
