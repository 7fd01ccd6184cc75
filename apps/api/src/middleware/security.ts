import type { IncomingMessage, ServerResponse } from "node:http";
import helmet, { type HelmetOptions } from "helmet";
import type { Middleware } from "koa";
import type { AppState } from "../context.js";

/** Paths that serve HTML (the interactive docs) rather than JSON. */
const DOCS_PREFIX = "/docs";

/**
 * The interactive docs' Content-Security-Policy, the one policy of every response under `/docs`
 * (the page and its files): everything from this origin only. Swagger UI sets inline styles and
 * uses `data:` images and fonts for its icons, hence those allowances. No
 * `upgrade-insecure-requests`: a plain-HTTP install on a private network must still load its docs.
 */
export const DOCS_CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * Security headers (helmet; OWASP REST Security and HTTP Headers cheat sheets). JSON responses get
 * `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` since nothing in them may
 * load or run; everything under `/docs` gets {@link DOCS_CONTENT_SECURITY_POLICY}. Both send
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
    contentSecurityPolicy: { useDefaults: false, directives: DOCS_CONTENT_SECURITY_POLICY },
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
