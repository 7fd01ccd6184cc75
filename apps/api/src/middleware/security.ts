import type { IncomingMessage, ServerResponse } from "node:http";
import helmet, { type HelmetOptions } from "helmet";
import type { Middleware } from "koa";
import type { AppState } from "../context.js";

/** Paths that serve HTML (the interactive docs) rather than JSON. */
const DOCS_PREFIX = "/docs";

/**
 * Security headers (helmet; OWASP REST Security and HTTP Headers cheat sheets). JSON responses get
 * `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` since nothing in them may
 * load or run. The interactive docs under `/docs` get helmet's default policy instead, which allows
 * same-origin scripts, styles (plus inline styles, which Swagger UI sets), images and fetches
 * (everything the docs page loads is served by this API) and nothing from elsewhere, without
 * `upgrade-insecure-requests` (a plain-HTTP install must still load its docs). Both send
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, HSTS,
 * `X-Frame-Options: SAMEORIGIN` and the cross-origin policies.
 *
 * These policies use no per-request values (no nonces), so helmet runs once at start-up and each
 * response gets the headers it produced: running it per request through koa-helmet cost about
 * 0.1 ms of CPU per request (bench/).
 */
export function securityHeaders(): Middleware<AppState> {
  const api = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  });
  const docs = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        // Swagger UI sets inline styles; scripts stay same-origin only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", "data:"],
        // Users may serve the API over plain HTTP on their network; upgrading would break the page.
        upgradeInsecureRequests: null,
      },
    },
  });
  return async (ctx, next) => {
    const isDocs = ctx.path === DOCS_PREFIX || ctx.path.startsWith(`${DOCS_PREFIX}/`);
    ctx.set(isDocs ? docs : api);
    await next();
  };
}

/** The headers helmet sets with `options`, collected once from a stand-in response. */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  let done = false;
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error instanceof Error ? error : new Error("helmet refused its options");
      done = true;
    },
  );
  if (!done) throw new Error("helmet did not finish synchronously; its headers cannot be cached");
  return headers;
}
