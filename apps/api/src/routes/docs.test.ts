import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../testing/index.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** Every `src` and `href` the page (or a script) references. */
const referencesOf = (html: string) =>
  [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");

const EXPECTED_TYPES: [RegExp, RegExp][] = [
  [/\.css$/, /^text\/css/],
  [/\.js$/, /^(text|application)\/javascript/],
  [/\.png$/, /^image\/png$/],
  [/\.json$/, /^application\/json/],
];

describe("GET /docs", () => {
  it("serves Swagger UI whose every asset comes from this API, with the right content types", async () => {
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('id="swagger-ui"');
    expect(html).not.toMatch(/<script>(?!<\/script>)|<script[^>]*>[^<]+<\/script>/); // no inline script
    expect(html).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}/i); // no host anywhere: no CDN, no tracker

    const references = referencesOf(html);
    expect(references).toEqual(
      expect.arrayContaining([
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/init.js",
        "/openapi.json",
      ]),
    );
    for (const reference of references) {
      expect(reference, "a same-origin path").toMatch(/^\/(?!\/)/);
      const asset = await fetch(`${api.url}${reference}`);
      expect(asset.status, reference).toBe(200);
      const type = EXPECTED_TYPES.find(([extension]) => extension.test(reference))?.[1];
      expect(asset.headers.get("content-type"), reference).toMatch(type ?? /./);
      expect((await asset.arrayBuffer()).byteLength, reference).toBeGreaterThan(0);
    }
  });

  it("initialises Swagger UI from a local script that loads /openapi.json and calls no outside validator", async () => {
    const script = await (await fetch(`${api.url}/docs/init.js`)).text();
    expect(script).toContain('url: "/openapi.json"');
    expect(script).toContain("validatorUrl: null");
    expect(script).not.toMatch(/https?:\/\//);
  });

  it("sends a Content-Security-Policy that allows scripts from this origin only", async () => {
    const policy = (await fetch(`${api.url}/docs`)).headers.get("content-security-policy") ?? "";
    expect(policy).toMatch(/script-src 'self'(;|$)/);
    expect(policy).not.toMatch(/https?:|\*|unsafe-eval/);
  });

  it("sends one Content-Security-Policy, the same on the page and on every file it loads", async () => {
    const policies = new Set<string | null>();
    for (const path of [
      "/docs",
      "/docs/init.js",
      "/docs/swagger-ui.css",
      "/docs/swagger-ui-bundle.js",
    ])
      policies.add((await fetch(`${api.url}${path}`)).headers.get("content-security-policy"));
    expect(policies.size).toBe(1);
    expect([...policies][0]).toMatch(/default-src 'self'/);
  });

  it("revalidates assets with their ETag", async () => {
    const first = await fetch(`${api.url}/docs/swagger-ui.css`);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${api.url}/docs/swagger-ui.css`, {
      headers: { "if-none-match": etag, "cache-control": "max-age=0" },
    });
    expect(again.status).toBe(304);
  });

  it("serves nothing else from node_modules: an unknown asset or a path outside is a 404 problem", async () => {
    for (const path of [
      "/docs/package.json",
      "/docs/index.html",
      "/docs/..%2Fpackage.json",
      "/docs/%2e%2e%2fLICENSE",
    ]) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
    }
  });
});
