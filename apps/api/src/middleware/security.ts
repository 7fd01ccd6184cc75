import helmet from "koa-helmet";
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
 * `upgrade-insecure-requests` (a plain-HTTP install must still load its docs). Both send `X-Content-Type-Options: nosniff`,
 * `Referrer-Policy: no-referrer`, HSTS, `X-Frame-Options: SAMEORIGIN` and the cross-origin policies.
 */
export function securityHeaders(): Middleware<AppState> {
  const api = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  }) as Middleware<AppState>;
  const docs = helmet({
    contentSecurityPolicy: {
      directives: {
        // Swagger UI sets inline styles; scripts stay same-origin only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", "data:"],
        // Users may serve the API over plain HTTP on their network; upgrading would break the page.
        upgradeInsecureRequests: null,
      },
    },
  }) as Middleware<AppState>;
  return async (ctx, next) => {
    const isDocs = ctx.path === DOCS_PREFIX || ctx.path.startsWith(`${DOCS_PREFIX}/`);
    await (isDocs ? docs : api)(ctx, next);
  };
}
