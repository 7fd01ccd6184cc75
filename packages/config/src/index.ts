import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import ms from "ms";
import { z } from "zod";

/** A duration such as `15m`, `30d` or `900s`, parsed to whole seconds. */
const duration = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const millis = ms(value as ms.StringValue);
    if (typeof millis !== "number" || !Number.isFinite(millis) || millis < 1000) {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is not a duration like 15m, 12h or 30d`,
      });
      return z.NEVER;
    }
    return Math.floor(millis / 1000);
  });

/**
 * A duration in milliseconds between `min` and `max`: `1500ms`, `2s`, or a bare number of
 * milliseconds (`1500`).
 */
const millis = (min: number, max: number) =>
  z
    .string()
    .trim()
    .transform((value, ctx) => {
      const parsed = ms(value as ms.StringValue);
      if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({
          code: "custom",
          message: `"${value}" is not a duration from ${ms(min)} to ${ms(max)}, like 1500ms or 2s`,
        });
        return z.NEVER;
      }
      return Math.round(parsed);
    });

const positiveInt = z.coerce.number().int().positive();

const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const optionalUrl = z.url().optional();

/** The raw environment this service reads, before it is shaped into {@link Config}. */
const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    DATABASE_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    DATABASE_LISTEN_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    DATABASE_CONNECT_TIMEOUT: millis(100, 60_000).default(1500),
    DATABASE_STATEMENT_TIMEOUT: millis(100, 3_600_000).default(5000),
    DATA_DIR: z.string().trim().min(1).default("./.data"),
    MIGRATE_ON_START: bool.default(true),
    JWT_SECRET: z
      .string()
      .refine((value) => Buffer.byteLength(value, "utf8") >= 32, "must be at least 32 bytes")
      .optional(),
    JWT_ISSUER: z.string().trim().min(1).default("todo"),
    JWT_AUDIENCE: z.string().trim().min(1).default("todo-api"),
    ACCESS_TOKEN_TTL: duration.default(900),
    REFRESH_TOKEN_TTL: duration.default(60 * 60 * 24 * 30),
    CORS_ORIGINS: commaList.default([]),
    TRUST_PROXY: bool.default(false),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
    RATE_LIMIT_ENABLED: bool.default(true),
    RATE_LIMIT_STORE: z.enum(["memory", "postgres", "redis"]).default("memory"),
    REDIS_URL: z
      .string()
      .trim()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
    REDIS_KEY_PREFIX: z.string().trim().max(100).optional(),
    RATE_LIMIT_AUTH_POINTS: positiveInt.default(10),
    RATE_LIMIT_AUTH_DURATION: duration.default(60),
    RATE_LIMIT_USER_POINTS: positiveInt.default(600),
    RATE_LIMIT_USER_DURATION: duration.default(60),
    HTTP_HEADERS_TIMEOUT: duration.default(10),
    HTTP_REQUEST_TIMEOUT: duration.default(30),
    HTTP_KEEP_ALIVE_TIMEOUT: duration.default(65),
    HTTP_MAX_HEADER_SIZE: z.coerce
      .number()
      .int()
      .min(1024, "must be at least 1024 bytes")
      .max(1024 * 1024, "must be at most 1048576 bytes")
      .default(16 * 1024),
    EVENTS_HEARTBEAT: millis(100, 3_600_000).default(15_000),
    EVENTS_MAX_BUFFER: z.coerce
      .number()
      .int()
      .min(1024, "must be at least 1024 bytes")
      .max(64 * 1024 * 1024, "must be at most 67108864 bytes")
      .default(1024 * 1024),
    CHANGES_RETENTION: duration.default(60 * 60 * 24 * 30),
    AUTH_JWKS_URL: optionalUrl,
    AUTH_ISSUER: z.string().trim().min(1).optional(),
    AUTH_AUDIENCE: z.string().trim().min(1).optional(),
    TEST_DATABASE_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.JWT_SECRET) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "is required in production" });
    }
    if (env.HTTP_HEADERS_TIMEOUT > env.HTTP_REQUEST_TIMEOUT) {
      ctx.addIssue({
        code: "custom",
        path: ["HTTP_HEADERS_TIMEOUT"],
        message: "must not be longer than HTTP_REQUEST_TIMEOUT",
      });
    }
    if (env.RATE_LIMIT_STORE === "redis" && !env.REDIS_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_URL"],
        message: "is required when RATE_LIMIT_STORE is redis",
      });
    }
    if (env.DATABASE_LISTEN_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_LISTEN_URL"],
        message: "needs DATABASE_URL (the embedded database listens in process)",
      });
    }
    const external = [env.AUTH_JWKS_URL, env.AUTH_ISSUER, env.AUTH_AUDIENCE];
    if (external.some(Boolean) && !external.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_JWKS_URL"],
        message: "AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE must be set together",
      });
    }
  });

/** The service's typed, frozen configuration. Durations are in seconds. */
export interface Config {
  readonly env: "development" | "production" | "test";
  readonly host: string;
  readonly port: number;
  /**
   * `METRICS_PORT`: where a separate server answers `GET /metrics` (Prometheus text, on
   * {@link Config.host}), never the public port; `undefined` (unset) serves no metrics.
   */
  readonly metricsPort: number | undefined;
  /** PostgreSQL URL; `undefined` selects the embedded PGlite database in {@link Config.dataDir}. */
  readonly databaseUrl: string | undefined;
  /**
   * PostgreSQL URL of the one connection that LISTENs for notifications (`DATABASE_LISTEN_URL`,
   * default {@link Config.databaseUrl}). It must reach PostgreSQL directly: a pooler in
   * transaction mode (PgBouncer) hands each statement to any server connection, so a LISTEN
   * would be lost. `undefined` with the embedded database.
   */
  readonly databaseListenUrl: string | undefined;
  /**
   * How long PostgreSQL may keep a request waiting, in milliseconds (ignored by PGlite):
   * - `connectTimeoutMs` (`DATABASE_CONNECT_TIMEOUT`, default 1.5 s): for a connection, free in
   *   the pool or new. A healthy server accepts one in milliseconds; an unreachable one must turn
   *   into a 503 within 2 s (DESIGN §10), and 1.5 s leaves the rest of the request half a second.
   * - `statementTimeoutMs` (`DATABASE_STATEMENT_TIMEOUT`, default 5 s): the server's
   *   `statement_timeout`. Every statement here reads or writes a few rows through an index (a
   *   100,000-task list page takes milliseconds), so only a stuck one (waiting on a lock, an
   *   overloaded server) reaches it, and it is better answered 503 than left hanging. Migrations
   *   run without it.
   * Spread into `openDatabase`.
   */
  readonly databaseTimeouts: {
    readonly connectTimeoutMs: number;
    readonly statementTimeoutMs: number;
  };
  /** Absolute path of the folder for the embedded database and the development JWT secret. */
  readonly dataDir: string;
  /** Apply pending migrations when the API starts. */
  readonly migrateOnStart: boolean;
  readonly jwt: {
    /** HS256 key, at least 32 bytes (RFC 7518 §3.2). */
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtl: number;
    readonly refreshTokenTtl: number;
  };
  /** Origins allowed by CORS; empty means no cross-origin access, `*` any origin. */
  readonly corsOrigins: readonly string[];
  /**
   * Trust `X-Forwarded-For`/`X-Forwarded-Proto` from a reverse proxy (`TRUST_PROXY`, default
   * false). Only set it behind a proxy that overwrites these headers: the client IP it yields is
   * what login and signup are rate limited by.
   */
  readonly trustProxy: boolean;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly rateLimit: {
    readonly enabled: boolean;
    /**
     * Where counters live (`RATE_LIMIT_STORE`): `memory` (per process), `postgres` (the
     * `rate_limits` table) or `redis` (at `redisUrl`); the shared ones count across instances.
     */
    readonly store: "memory" | "postgres" | "redis";
    /** `REDIS_URL` (`redis://[:password@]host:port[/db]`), required with the `redis` store. */
    readonly redisUrl: string | undefined;
    /**
     * `REDIS_KEY_PREFIX`: put before every Redis key (`todo:`), so that deployments or test runs
     * sharing one Redis keep their counters apart; instances of one deployment share it. Default none.
     */
    readonly redisKeyPrefix?: string | undefined;
    /** Login/signup attempts allowed per IP and per email in each window. */
    readonly authPoints: number;
    readonly authDuration: number;
    /** Requests allowed per user in each window. */
    readonly userPoints: number;
    readonly userDuration: number;
  };
  /**
   * The HTTP server's limits on what a client may send and how slowly (OWASP Denial of Service
   * Cheat Sheet). Durations in seconds, sizes in bytes.
   */
  readonly http: {
    /** Time to receive a request's header section (`HTTP_HEADERS_TIMEOUT`, 10 s): slowloris. */
    readonly headersTimeout: number;
    /** Time to receive a whole request, body included (`HTTP_REQUEST_TIMEOUT`, 30 s). */
    readonly requestTimeout: number;
    /** How long an idle keep-alive connection stays open (`HTTP_KEEP_ALIVE_TIMEOUT`, 65 s). */
    readonly keepAliveTimeout: number;
    /** Largest request line plus header section (`HTTP_MAX_HEADER_SIZE`, 16384 bytes). */
    readonly maxHeaderSize: number;
  };
  /** Live updates and sync (DESIGN §9). */
  readonly events: {
    /** Milliseconds between heartbeats (an SSE comment) on an idle event stream (`EVENTS_HEARTBEAT`, 15 s). */
    readonly heartbeatMs: number;
    /**
     * Bytes an event stream may leave unsent (`EVENTS_MAX_BUFFER`, 1 MiB): a client that falls
     * further behind is dropped, and resumes with its last event id when it reconnects.
     */
    readonly maxBufferedBytes: number;
    /**
     * Seconds changes are kept for delta sync (`CHANGES_RETENTION`, 30 days): a sync token older
     * than that answers 410 and the client syncs in full.
     */
    readonly changeRetention: number;
  };
  /** An external identity provider whose JWTs are accepted beside this service's own. */
  readonly externalAuth:
    { readonly jwksUrl: string; readonly issuer: string; readonly audience: string } | undefined;
  readonly testDatabaseUrl: string | undefined;
}

/** Raised when the environment is invalid; `message` names every bad variable and why. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The environment to read; defaults to `process.env` merged over `.env` in the working folder. */
  env?: Record<string, string | undefined>;
  /** Called with start-up warnings (such as a generated development secret). */
  warn?: (message: string) => void;
}

/**
 * Reads and validates the environment (DESIGN §5) and returns a frozen {@link Config}.
 *
 * Without `JWT_SECRET` outside production, a random secret is generated once and kept in
 * `DATA_DIR/jwt-secret` (mode 0600), with a warning; in tests it is random per process.
 *
 * @throws {ConfigError} naming every invalid variable.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? readProcessEnv();
  const parsed = EnvSchema.safeParse(emptyToUndefined(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`,
      ),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const secret =
    e.JWT_SECRET ??
    (e.NODE_ENV === "test"
      ? randomBytes(32).toString("base64url")
      : developmentSecret(dataDir, options.warn));
  return deepFreeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    databaseUrl: e.DATABASE_URL,
    databaseListenUrl: e.DATABASE_URL ? (e.DATABASE_LISTEN_URL ?? e.DATABASE_URL) : undefined,
    databaseTimeouts: {
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT,
    },
    dataDir,
    migrateOnStart: e.MIGRATE_ON_START,
    jwt: {
      secret,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTokenTtl: e.ACCESS_TOKEN_TTL,
      refreshTokenTtl: e.REFRESH_TOKEN_TTL,
    },
    corsOrigins: e.CORS_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === "test" ? "silent" : "info"),
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      store: e.RATE_LIMIT_STORE,
      redisUrl: e.REDIS_URL,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      authPoints: e.RATE_LIMIT_AUTH_POINTS,
      authDuration: e.RATE_LIMIT_AUTH_DURATION,
      userPoints: e.RATE_LIMIT_USER_POINTS,
      userDuration: e.RATE_LIMIT_USER_DURATION,
    },
    http: {
      headersTimeout: e.HTTP_HEADERS_TIMEOUT,
      requestTimeout: e.HTTP_REQUEST_TIMEOUT,
      keepAliveTimeout: e.HTTP_KEEP_ALIVE_TIMEOUT,
      maxHeaderSize: e.HTTP_MAX_HEADER_SIZE,
    },
    events: {
      heartbeatMs: e.EVENTS_HEARTBEAT,
      maxBufferedBytes: e.EVENTS_MAX_BUFFER,
      changeRetention: e.CHANGES_RETENTION,
    },
    externalAuth:
      e.AUTH_JWKS_URL && e.AUTH_ISSUER && e.AUTH_AUDIENCE
        ? { jwksUrl: e.AUTH_JWKS_URL, issuer: e.AUTH_ISSUER, audience: e.AUTH_AUDIENCE }
        : undefined,
    testDatabaseUrl: e.TEST_DATABASE_URL,
  });
}

/**
 * Builds a {@link Config} for tests and tools from defaults plus `overrides` (environment names).
 * Never reads `process.env` or `.env`.
 */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({ env: { NODE_ENV: "test", ...overrides } });
}

/** Reads `TEST_DATABASE_URL` for test fixtures; `undefined` selects PGlite. */
export function testDatabaseUrl(): string | undefined {
  const value = readProcessEnv().TEST_DATABASE_URL?.trim();
  return value ? value : undefined;
}

/**
 * True on a continuous-integration run (`CI` set to anything but `false` or `0`, as CI services
 * set it): tests that would skip for a missing tool on a developer's machine fail there instead.
 */
export function runningInCi(): boolean {
  const value = readProcessEnv().CI?.trim().toLowerCase();
  return Boolean(value) && value !== "false" && value !== "0";
}

function readProcessEnv(): Record<string, string | undefined> {
  const fromFile = existsSync(".env") ? parseDotEnv(readFileSync(".env", "utf8")) : {};
  return { ...fromFile, ...process.env };
}

function parseDotEnv(text: string): Record<string, string> {
  // Node's own dotenv-syntax parser (Node ≥ 20.12).
  return parseEnv(text) as Record<string, string>;
}

function emptyToUndefined(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === "" ? undefined : value]),
  );
}

function developmentSecret(dataDir: string, warn: ((message: string) => void) | undefined): string {
  const file = join(dataDir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  warn?.(
    `JWT_SECRET is not set: generated a development secret in ${file}. Set JWT_SECRET in production.`,
  );
  return secret;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === "object") deepFreeze(child as object);
  }
  return Object.freeze(value);
}
