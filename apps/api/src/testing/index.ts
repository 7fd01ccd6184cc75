// The API test harness: a real app over real HTTP on an ephemeral port and a fresh database, and
// helpers to talk to it. Used by the API's tests and, through `@todo/api/testing` (source only,
// never built into dist), by the CLI's. Free of vitest, so it type-checks anywhere.
import { createHmac, randomUUID } from "node:crypto";
import { request as httpRequest, type Server } from "node:http";
import { testConfig, type Config } from "@todo/config";
import type { AuthSession, Task } from "@todo/contract";
import { createRedisClient, createServices, type Services } from "@todo/core";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import type { Database, StatementObserver } from "@todo/db";
import type { Logger } from "pino";
import { createApp } from "../app.js";
import { createHttpServer, listen } from "../http-server.js";
import type { Metrics } from "../metrics.js";
import { createLogger } from "../logger.js";

/** A live API for a test file: its base URL, database and services. `close()` stops both. */
export interface TestApi {
  readonly url: string;
  /** The HTTP server, to cut its connections as a dying process would. */
  readonly server: Server;
  readonly db: TestDatabase;
  readonly config: Config;
  readonly services: Services;
  close(): Promise<void>;
}

/** Options of {@link startTestApi}. */
export interface TestApiOptions {
  /** The app's logger, e.g. a pino logger writing to a memory stream; default per `LOG_LEVEL`. */
  logger?: Logger;
  /** Called with every statement the database sends, before it is sent (`DatabaseOptions.onStatement`). */
  onStatement?: StatementObserver;
  /** Metrics the app counts into (and rate-limit rejections with them). */
  metrics?: Metrics;
  /** With `REDIS_URL`: the prefix of the API's Redis keys; APIs given the same one share counters. */
  redisKeyPrefix?: string;
}

/**
 * Starts `createApp` behind the production HTTP server (`createHttpServer`, with its limits) on
 * 127.0.0.1 with an ephemeral port over a freshly migrated database, with
 * the config of `env` (environment names, as in `.env`). Rate limits are off unless `env` sets
 * `RATE_LIMIT_ENABLED`, so that test files may sign up many users from one IP.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  options: TestApiOptions = {},
): Promise<TestApi> {
  const config = testConfig({ RATE_LIMIT_ENABLED: "false", ...env });
  const db = await createTestDatabase({ onStatement: options.onStatement });
  // Each test API counts under its own prefix, unless told to share one.
  const redis = config.rateLimit.redisUrl
    ? createRedisClient(config.rateLimit.redisUrl, {
        keyPrefix: options.redisKeyPrefix ?? `todo-test:${randomUUID()}:`,
      })
    : undefined;
  const { metrics } = options;
  const services = createServices(db, config, {
    redis,
    onRateLimited: metrics && ((limit) => metrics.rateLimitRejections.inc({ limit })),
  });
  const app = createApp(
    { config, db, services, logger: options.logger ?? createLogger(config) },
    { metrics },
  );
  const server = createHttpServer(app, config.http);
  const { port } = await listen(server, 0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    db,
    config,
    services,
    close: async () => {
      services.live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      redis?.disconnect();
    },
  };
}

/** An API instance over a database another instance may share (tests of several instances). */
export interface TestInstance {
  readonly url: string;
  readonly services: Services;
  /** Ends its event streams and stops its server; the database stays open. */
  close(): Promise<void>;
}

/**
 * Starts one more API instance over `db` (its own services, session cache and event streams),
 * and resolves once its session cache is trusted.
 */
export async function startInstance(config: Config, db: Database): Promise<TestInstance> {
  const services = createServices(db, config);
  const app = createApp({ config, db, services, logger: createLogger(config) });
  const server = createHttpServer(app, config.http);
  const { port } = await listen(server, 0, "127.0.0.1");
  await services.sessions.ready();
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    close: async () => {
      services.live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A password every test account uses (8–128 characters). */
export const PASSWORD = "correct horse battery staple";

/** What a test reads from a response: status, headers and the body (parsed JSON, else text, else null). */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // Tests assert on arbitrary shapes, including problem bodies.
  readonly body: any;
}

/** Options of one request: a bearer token, a JSON body (or a raw one) and extra headers. */
export interface RequestInit {
  token?: string | undefined;
  json?: unknown;
  /** A raw body, sent as is (set `content-type` in `headers` yourself). */
  raw?: string | Uint8Array | undefined;
  headers?: Record<string, string>;
}

/** A logged-in test user. */
export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
  readonly refreshToken: string;
}

/** A test API plus request helpers. Rate limiting is off so tests can sign up many accounts. */
export interface Harness {
  readonly api: TestApi;
  request(method: string, path: string, init?: RequestInit): Promise<Reply>;
  /** Signs up `email` (a unique one when omitted) and returns the session; fails loudly if not 201. */
  user(email?: string): Promise<TestUser>;
  /** Creates a task as `user`; fails loudly if not 201. */
  task(user: TestUser, body?: Record<string, unknown>): Promise<Task>;
  close(): Promise<void>;
}

let counter = 0;

/** An email no other test account has. */
export const uniqueEmail = (prefix = "user") => `${prefix}${++counter}-${Date.now()}@example.com`;

/**
 * Signs up `email` (a unique one by default) with `password` on the API at `baseUrl` and returns
 * the session; fails loudly unless the API answers 201.
 */
export async function signup(
  baseUrl: string,
  { email = uniqueEmail(), password = PASSWORD }: { email?: string; password?: string } = {},
): Promise<TestUser> {
  const reply = await send(baseUrl, "POST", "/api/v1/auth/signup", {
    json: { email, password },
  });
  if (reply.status !== 201)
    throw new Error(`signup failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  const session = reply.body as AuthSession;
  return {
    id: session.user.id,
    email: session.user.email,
    token: session.accessToken,
    refreshToken: session.refreshToken,
  };
}

/** Starts a fresh API (fresh database) for one test file. `env` overrides config variables. */
export async function startHarness(
  env: Record<string, string> = {},
  options: TestApiOptions = {},
): Promise<Harness> {
  const api = await startTestApi(env, options);
  const request = (method: string, path: string, init: RequestInit = {}) =>
    send(api.url, method, path, init);
  return {
    api,
    request,
    user: (email) => signup(api.url, { email: email ?? uniqueEmail() }),
    async task(user, body = { title: `task ${++counter}` }) {
      const reply = await request("POST", "/api/v1/tasks", { token: user.token, json: body });
      if (reply.status !== 201)
        throw new Error(`create failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body as Task;
    },
    close: () => api.close(),
  };
}

/**
 * One HTTP request to `baseUrl + path` over node:http (not fetch, which refuses a body on GET and
 * adds cache headers of its own), so tests send exactly the bytes they mean to.
 */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  init: RequestInit = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | Uint8Array | undefined = init.raw;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] ??= "application/json";
  }
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${baseUrl}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined)
            responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        let parsed: unknown = text === "" ? null : text;
        if (text !== "" && /json/.test(responseHeaders.get("content-type") ?? ""))
          parsed = JSON.parse(text);
        resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body: parsed });
      });
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** A problem body without its per-request `requestId`, for comparing two answers. */
export function withoutRequestId(body: unknown): unknown {
  if (!body || typeof body !== "object") return body;
  const { requestId: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}

const base64url = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/**
 * Signs a JWT by hand (HS256 over `secret`, or unsigned with `alg: "none"`), so tests can forge
 * tokens with wrong claims, wrong keys or no signature at all (RFC 7519, RFC 8725).
 */
export function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  alg: "HS256" | "none" = "HS256",
): string {
  const head = `${base64url({ alg, typ: "JWT" })}.${base64url(payload)}`;
  if (alg === "none") return `${head}.`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}
export { openEvents, type TestEventStream } from "./events.js";
