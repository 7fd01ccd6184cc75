import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCliEnvironment } from "./cli.js";
import { ConfigError, loadConfig } from "./index.js";

const secret = "x".repeat(32);

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig({ env: { NODE_ENV: "test" } });
    expect(config).toMatchObject({
      env: "test",
      host: "127.0.0.1",
      port: 3000,
      databaseUrl: undefined,
      databaseTimeouts: { connectTimeoutMs: 1500, statementTimeoutMs: 5000 },
      migrateOnStart: true,
      jwt: {
        issuer: "todo",
        audience: "todo-api",
        accessTokenTtl: 900,
        refreshTokenTtl: 2_592_000,
      },
      corsOrigins: [],
      logLevel: "silent",
      externalAuth: undefined,
    });
    expect(Object.isFrozen(config.jwt)).toBe(true);
  });

  it("names every bad variable in one error", () => {
    const load = () =>
      loadConfig({
        env: {
          NODE_ENV: "staging",
          PORT: "70000",
          DATABASE_URL: "mysql://x",
          ACCESS_TOKEN_TTL: "soon",
          JWT_SECRET: "short",
        },
      });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      const { problems, message } = error as ConfigError;
      expect(problems.map((problem) => problem.split(":")[0])).toEqual(
        expect.arrayContaining([
          "NODE_ENV",
          "PORT",
          "DATABASE_URL",
          "ACCESS_TOKEN_TTL",
          "JWT_SECRET",
        ]),
      );
      expect(message).toContain('"soon" is not a duration');
    }
  });

  it("reads the database timeouts as milliseconds and refuses ones out of range", () => {
    const config = loadConfig({
      env: { NODE_ENV: "test", DATABASE_CONNECT_TIMEOUT: "2s", DATABASE_STATEMENT_TIMEOUT: "750" },
    });
    expect(config.databaseTimeouts).toEqual({ connectTimeoutMs: 2000, statementTimeoutMs: 750 });
    for (const [name, value] of [
      ["DATABASE_CONNECT_TIMEOUT", "soon"],
      ["DATABASE_CONNECT_TIMEOUT", "10ms"],
      ["DATABASE_CONNECT_TIMEOUT", "2m"],
      ["DATABASE_STATEMENT_TIMEOUT", "0"],
      ["DATABASE_STATEMENT_TIMEOUT", "-5s"],
    ] as const) {
      expect(() => loadConfig({ env: { NODE_ENV: "test", [name]: value } }), value).toThrow(
        new RegExp(`${name}: "${value}" is not a duration`),
      );
    }
  });

  it("reads the Redis rate-limit store (REDIS_URL required with it) and the metrics port", () => {
    expect(loadConfig({ env: { NODE_ENV: "test" } })).toMatchObject({
      metricsPort: undefined,
      rateLimit: { store: "memory", redisUrl: undefined, redisKeyPrefix: undefined },
    });
    expect(() => loadConfig({ env: { NODE_ENV: "test", RATE_LIMIT_STORE: "redis" } })).toThrow(
      /REDIS_URL: is required when RATE_LIMIT_STORE is redis/,
    );
    expect(() =>
      loadConfig({ env: { NODE_ENV: "test", REDIS_URL: "http://127.0.0.1:6379" } }),
    ).toThrow(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => loadConfig({ env: { NODE_ENV: "test", METRICS_PORT: "metrics" } })).toThrow(
      /METRICS_PORT/,
    );
    const config = loadConfig({
      env: {
        NODE_ENV: "test",
        RATE_LIMIT_STORE: "redis",
        REDIS_URL: "redis://127.0.0.1:6379/2",
        REDIS_KEY_PREFIX: "todo-staging:",
        METRICS_PORT: "9464",
      },
    });
    expect(config.rateLimit).toMatchObject({
      store: "redis",
      redisUrl: "redis://127.0.0.1:6379/2",
      redisKeyPrefix: "todo-staging:",
    });
    expect(config.metricsPort).toBe(9464);
  });

  it("listens on DATABASE_URL unless DATABASE_LISTEN_URL names a direct connection", () => {
    const pooled = "postgres://app@pgbouncer:6432/todo";
    const direct = "postgres://app@db:5432/todo";
    expect(loadConfig({ env: { NODE_ENV: "test" } }).databaseListenUrl).toBeUndefined();
    expect(loadConfig({ env: { NODE_ENV: "test", DATABASE_URL: direct } }).databaseListenUrl).toBe(
      direct,
    );
    expect(
      loadConfig({ env: { NODE_ENV: "test", DATABASE_URL: pooled, DATABASE_LISTEN_URL: direct } }),
    ).toMatchObject({ databaseUrl: pooled, databaseListenUrl: direct });
    expect(() => loadConfig({ env: { NODE_ENV: "test", DATABASE_LISTEN_URL: direct } })).toThrow(
      /DATABASE_LISTEN_URL: needs DATABASE_URL/,
    );
  });

  it("requires JWT_SECRET in production and the external-auth trio together", () => {
    expect(() => loadConfig({ env: { NODE_ENV: "production" } })).toThrow(
      /JWT_SECRET: is required in production/,
    );
    expect(() =>
      loadConfig({ env: { NODE_ENV: "test", AUTH_ISSUER: "https://id.example.com" } }),
    ).toThrow(/AUTH_JWKS_URL/);
    const config = loadConfig({
      env: {
        NODE_ENV: "production",
        JWT_SECRET: secret,
        AUTH_JWKS_URL: "https://id.example.com/.well-known/jwks.json",
        AUTH_ISSUER: "https://id.example.com",
        AUTH_AUDIENCE: "todo",
        CORS_ORIGINS: "https://app.example.com, https://admin.example.com",
        ACCESS_TOKEN_TTL: "5m",
      },
    });
    expect(config.externalAuth?.issuer).toBe("https://id.example.com");
    expect(config.corsOrigins).toEqual(["https://app.example.com", "https://admin.example.com"]);
    expect(config.jwt.accessTokenTtl).toBe(300);
  });

  it("generates a development secret once, 0600, and reuses it", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "todo-config-"));
    const warnings: string[] = [];
    const first = loadConfig({
      env: { NODE_ENV: "development", DATA_DIR: dataDir },
      warn: (message) => warnings.push(message),
    });
    const second = loadConfig({
      env: { NODE_ENV: "development", DATA_DIR: dataDir },
      warn: (message) => warnings.push(message),
    });
    expect(first.jwt.secret).toBe(second.jwt.secret);
    expect(Buffer.byteLength(first.jwt.secret)).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dataDir, "jwt-secret"), "utf8").trim()).toBe(first.jwt.secret);
    expect(statSync(join(dataDir, "jwt-secret")).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
  });
});

describe("loadCliEnvironment", () => {
  it("finds the credentials folder as DESIGN §4 orders it", () => {
    expect(
      loadCliEnvironment({ TODO_CONFIG_DIR: "/a", XDG_CONFIG_HOME: "/b", HOME: "/c" }).configDir,
    ).toBe("/a");
    expect(loadCliEnvironment({ XDG_CONFIG_HOME: "/b", HOME: "/c" }).configDir).toBe("/b/todo");
    expect(loadCliEnvironment({ HOME: "/c" }).configDir).toBe("/c/.config/todo");
    expect(loadCliEnvironment({ HOME: "/c", NO_COLOR: "1", TODO_TOKEN: " t " })).toMatchObject({
      noColor: true,
      token: "t",
    });
    expect(loadCliEnvironment({ HOME: "/c", NO_COLOR: "" }).noColor).toBe(false);
  });

  it("finds the cache folder as the XDG Base Directory specification orders it", () => {
    expect(
      loadCliEnvironment({ TODO_CACHE_DIR: "/a", XDG_CACHE_HOME: "/b", HOME: "/c" }).cacheDir,
    ).toBe("/a");
    expect(loadCliEnvironment({ XDG_CACHE_HOME: "/b", HOME: "/c" }).cacheDir).toBe("/b/todo");
    expect(loadCliEnvironment({ HOME: "/c", TODO_CONFIG_DIR: "/a" }).cacheDir).toBe(
      "/c/.cache/todo",
    );
  });
});
