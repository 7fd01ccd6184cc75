import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Router from "@koa/router";
import type { AppContext, AppDeps, AppState } from "../context.js";
import { buildOpenApiDocument } from "../openapi/document.js";

/** Where the interactive docs live; their assets are under `${DOCS_PATH}/`. */
export const DOCS_PATH = "/docs";

/** The Swagger UI files the page loads, served from `swagger-ui-dist` with their media types. */
const SWAGGER_UI_ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui.css.map": "application/json",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
};

// The page's own script, served as a file so a Content-Security-Policy can allow only 'self'.
// `validatorUrl: null` keeps Swagger UI from sending the document to validator.swagger.io.
const INIT_SCRIPT = `"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    displayRequestDuration: true,
    filter: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    // After a signup, login or refresh made from this page, authorize with the new access token.
    responseInterceptor: function (response) {
      try {
        if (response.ok && /\\/api\\/v1\\/auth\\/(signup|login|refresh)$/.test(new URL(response.url).pathname) && response.body && response.body.accessToken) {
          window.ui.preauthorizeApiKey("bearerAuth", response.body.accessToken);
        }
      } catch (error) {
        console.warn("could not authorize the docs page", error);
      }
      return response;
    },
  });
});
`;

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>todo API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <noscript>The interactive docs need JavaScript. The raw OpenAPI document is at <a href="/openapi.json">/openapi.json</a>.</noscript>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js" charset="utf-8"></script>
    <script src="${DOCS_PATH}/init.js" charset="utf-8"></script>
  </body>
</html>
`;

/**
 * The docs page's Content-Security-Policy: everything from this origin only. Swagger UI sets
 * inline styles and uses `data:` images for its icons, hence those two allowances.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** A body ready to serve with its media type and a strong ETag (RFC 9110 §8.8.3) over its bytes. */
interface StaticBody {
  readonly body: string | Buffer;
  readonly type: string;
  readonly etag: string;
}

function staticBody(body: string | Buffer, type: string): StaticBody {
  return {
    body,
    type,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
  };
}

/** Serves a cached body, answering 304 when `If-None-Match` still matches. */
function serve(ctx: AppContext, { body, type, etag }: StaticBody, cacheControl: string): void {
  ctx.status = 200;
  ctx.type = type;
  ctx.set("ETag", etag);
  ctx.set("Cache-Control", cacheControl);
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = body;
}

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document, generated from the zod contract once, when the
 * router is built) and `GET /docs` (Swagger UI, with every asset served from `swagger-ui-dist`
 * by this API: no CDN, so it works offline). Public: no access token needed.
 */
export function docsRoutes(_deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  const document = staticBody(
    JSON.stringify(buildOpenApiDocument()),
    "application/json; charset=utf-8",
  );
  const page = staticBody(PAGE, "text/html; charset=utf-8");
  const init = staticBody(INIT_SCRIPT, "text/javascript; charset=utf-8");
  const swaggerUiDir = dirname(
    createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"),
  );
  const assets = new Map<string, Promise<StaticBody>>();

  router.get("/openapi.json", (ctx) => {
    serve(ctx, document, "no-cache");
  });

  router.get(DOCS_PATH, (ctx) => {
    serve(ctx, page, "no-cache");
    ctx.set("Content-Security-Policy", DOCS_CSP);
  });

  router.get(`${DOCS_PATH}/init.js`, (ctx) => {
    serve(ctx, init, "no-cache");
  });

  router.get(`${DOCS_PATH}/:asset`, async (ctx, next) => {
    const { asset } = ctx.params;
    const type = asset === undefined ? undefined : SWAGGER_UI_ASSETS[asset];
    if (asset === undefined || type === undefined) {
      await next();
      return;
    }
    let loaded = assets.get(asset);
    if (!loaded) {
      // Read on first use and kept: the bundle is large and most app instances never serve it.
      loaded = readFile(join(swaggerUiDir, asset)).then((bytes) => staticBody(bytes, type));
      void loaded.catch(() => assets.delete(asset));
      assets.set(asset, loaded);
    }
    serve(ctx, await loaded, "public, max-age=3600");
  });

  return router;
}
