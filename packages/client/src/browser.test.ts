// The client in a real browser (Debian's headless Chromium, driven by playwright-core): a page
// served from another origin subscribes to a live API's events with the Authorization header
// (CORS preflight, fetch streaming), and receives a change made meanwhile. Skipped with a message
// where Chromium is not installed, except in CI, where its absence fails the test.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { send, signup, startTestApi, type TestApi } from "@todo/api/testing";
import { runningInCi } from "@todo/config";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";

/** What the test page puts on its global object (`window`). */
interface PageGlobals {
  ready?: boolean;
  opened?: boolean;
  received: unknown[];
  start(baseUrl: string, accessToken: string): void;
}
// Functions handed to the page run there: they name its global object themselves.
const installed = existsSync(CHROMIUM);

describe.skipIf(!installed && !runningInCi())(
  installed
    ? "the client in a browser on another origin"
    : `the client in a browser on another origin (skipped: ${CHROMIUM} is missing; apt-get install chromium)`,
  () => {
    let pages: Server;
    let pageOrigin: string;
    let api: TestApi;
    let browser: Browser;

    beforeAll(async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is required in CI`).toBe(true);
      // The client as a browser loads it: one ES module, bundled from source.
      const bundle = await build({
        entryPoints: [fileURLToPath(new URL("./index.ts", import.meta.url))],
        bundle: true,
        format: "esm",
        platform: "browser",
        conditions: ["@todo/source"],
        write: false,
      });
      const script = bundle.outputFiles[0]!.text;
      pages = createServer((request, response) => {
        if (request.url === "/client.js") {
          response.writeHead(200, { "content-type": "text/javascript" }).end(script);
          return;
        }
        response.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html>
<script type="module">
  import { createClient } from "/client.js";
  window.received = [];
  window.start = (baseUrl, accessToken) => {
    const client = createClient({ baseUrl, session: { accessToken } });
    client.subscribe((event) => window.received.push(event), { onOpen: () => (window.opened = true) });
  };
  window.ready = true;
</script>`);
      });
      await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
      pageOrigin = `http://localhost:${(pages.address() as AddressInfo).port}`;
      api = await startTestApi({ CORS_ORIGINS: pageOrigin });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
    });
    afterAll(async () => {
      await browser?.close();
      await api?.close();
      pages?.close();
    });

    it("receives a change through a fetch-based event stream, across origins", async () => {
      const user = await signup(api.url);
      const tab = await browser.newPage();
      await tab.goto(`${pageOrigin}/`);
      await tab.waitForFunction(() => (globalThis as unknown as PageGlobals).ready, null, {
        timeout: 0,
      });
      // The page (localhost) and the API (127.0.0.1) are different origins.
      await tab.evaluate(
        ([url, token]) => (globalThis as unknown as PageGlobals).start(url!, token!),
        [api.url, user.token],
      );
      await tab.waitForFunction(() => (globalThis as unknown as PageGlobals).opened, null, {
        timeout: 0,
      });
      const created = await send(api.url, "POST", "/api/v1/tasks", {
        token: user.token,
        json: { title: "Seen in the browser" },
      });
      expect(created.status).toBe(201);
      await tab.waitForFunction(
        () => (globalThis as unknown as PageGlobals).received.length > 0,
        null,
        { timeout: 0 },
      );
      const received = await tab.evaluate(() => (globalThis as unknown as PageGlobals).received);
      expect(received).toEqual([{ type: "task.created", id: "1", data: created.body }]);
    });
  },
);
