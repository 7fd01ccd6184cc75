import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { z } from "zod";
import { buildOpenApiDocument } from "../openapi/document.js";
import { defineOperation, type Operation, type Reply } from "../operation.js";

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

/** A reply serving a cached body; the operations are `conditionalRead`, so a match is a 304. */
const serve = ({ body, type, etag }: StaticBody, cacheControl: string): Reply => ({
  body,
  type,
  headers: { ETag: etag, "Cache-Control": cacheControl },
});

/** The generated document per operation list, built on first request and kept. */
const documents = new WeakMap<readonly Operation[], StaticBody>();

const swaggerUiDir = () =>
  dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The files under `/docs/`: Swagger UI's own, and the page's script, by name. */
const DOCS_ASSETS: Record<string, string> = {
  ...SWAGGER_UI_ASSETS,
  "init.js": "text/javascript; charset=utf-8",
};

/** Swagger UI files, read on first use and kept: most app instances never serve them. */
const assets = new Map<string, Promise<StaticBody>>([
  ["init.js", Promise.resolve(staticBody(INIT_SCRIPT, "text/javascript; charset=utf-8"))],
]);

function asset(name: string, type: string): Promise<StaticBody> {
  let loaded = assets.get(name);
  if (!loaded) {
    loaded = readFile(join(swaggerUiDir(), name)).then((bytes) => staticBody(bytes, type));
    void loaded.catch(() => assets.delete(name));
    assets.set(name, loaded);
  }
  return loaded;
}

const page = staticBody(PAGE, "text/html; charset=utf-8");

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document, generated from the operation declarations on
 * first request and kept) and `GET /docs` (Swagger UI, with every asset served from
 * `swagger-ui-dist` by this API under `/docs/`: no CDN, so it works offline). Public. The docs
 * page's Content-Security-Policy is set with the other security headers (`securityHeaders`).
 */
export const docsOperations: readonly Operation[] = [
  defineOperation({
    operationId: "openApiDocument",
    method: "get",
    path: "/openapi.json",
    tag: "Service",
    summary: "This OpenAPI 3.1 document",
    conditionalRead: true,
    responses: {
      200: {
        description: "The document, generated from the operation declarations and the contract.",
        content: z.record(z.string(), z.unknown()),
        headers: ["ETag"],
      },
    },
    handle: (_input, { operations }) => {
      let document = documents.get(operations);
      if (!document) {
        document = staticBody(
          JSON.stringify(buildOpenApiDocument(operations)),
          "application/json; charset=utf-8",
        );
        documents.set(operations, document);
      }
      return serve(document, "no-cache");
    },
  }),
  defineOperation({
    operationId: "apiDocs",
    method: "get",
    path: DOCS_PATH,
    tag: "Service",
    summary: "This interactive documentation (Swagger UI)",
    description:
      "Served with all its assets by the API itself under `/docs/`, so it works offline.",
    conditionalRead: true,
    responses: {
      200: {
        description: "The HTML page.",
        content: { "text/html": z.string() },
        headers: ["ETag"],
      },
    },
    handle: () => serve(page, "no-cache"),
  }),
  // One operation per file, so an unknown name is simply no route (404) and each documents its
  // one media type.
  ...Object.entries(DOCS_ASSETS).map(([name, type]) =>
    defineOperation({
      operationId: `apiDocsAsset_${name.replace(/\W/g, "_")}`,
      method: "get",
      path: `${DOCS_PATH}/${name}`,
      tag: "Service",
      summary: `A file of the interactive documentation: ${name}`,
      conditionalRead: true,
      responses: {
        200: {
          description: "The file.",
          content: {
            [type.split(";")[0] ?? type]:
              type === "application/json" ? z.record(z.string(), z.unknown()) : z.string(),
          },
          headers: ["ETag"],
        },
      },
      handle: async () =>
        serve(await asset(name, type), name === "init.js" ? "no-cache" : "public, max-age=3600"),
    }),
  ),
];
