// The cluster test (`.ci/cluster`, not part of `pnpm test`): three API processes, as built
// (`dist/server.js`, production mode), behind HAProxy, on one PostgreSQL reached through PgBouncer
// in transaction mode (the listening connection direct) and one Redis for the rate limits. It
// shows that limits and idempotency hold across instances, that an instance SIGKILLed under a
// write load loses no acknowledged write and that clients retrying with their keys make no
// duplicate, and measures throughput through HAProxy against one instance direct. Every process
// is its own, on ports free at the time, and stopped at the end; nothing here waits on a clock.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { testDatabaseUrl } from "@todo/config";
import { freePort, PgBouncer, withAdmin } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, type Reply } from "../src/testing/index.js";

const SERVER = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const REDIS_URL = "redis://127.0.0.1:6379";
const PASSWORD = "correct horse battery staple";
/** Login and signup attempts allowed per client IP and per email address (the limit under test). */
const AUTH_POINTS = 5;
const INSTANCES = 3;

/** One child process, its output in `log`, and its exit. */
interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly log: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** An API instance: its public and metrics addresses. */
interface Instance extends Child {
  readonly url: string;
  readonly metricsUrl: string;
}

const dir = mkdtempSync(join(tmpdir(), "todo-api-cluster-"));
const children: Child[] = [];
const adminUrl = testDatabaseUrl() ?? "postgres://postgres@127.0.0.1:5432/postgres";
const database = `todo_test_cluster_${randomBytes(6).toString("hex")}`;
/** This run's Redis keys: counters left by an earlier run never meet this one's. */
const redisKeyPrefix = `todo-cluster-${randomBytes(6).toString("hex")}:`;
let directUrl: string;
let pgbouncer: PgBouncer;
let instances: Instance[] = [];
let balancer: string;

function start(name: string, command: string, args: string[], env?: Record<string, string>): Child {
  const log = join(dir, `${name}.log`);
  const out = openSync(log, "a");
  const child = spawn(command, args, { cwd: dir, env, stdio: ["ignore", out, out] });
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const started = { name, process: child, log, exited };
  children.push(started);
  return started;
}

/** Retries `attempt` until it resolves true; fails at once (with its log) if `child` exits first. */
async function waitFor(child: Child, attempt: () => Promise<boolean>): Promise<void> {
  let gone = false;
  void child.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`${child.name} exited:\n${readFileSync(child.log, "utf8")}`);
    if (await attempt().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isReady = async (url: string) => (await fetch(`${url}/ready`)).status === 200;

async function startInstance(index: number, jwtSecret: string): Promise<Instance> {
  const port = await freePort();
  const metricsPort = await freePort();
  const child = start(`api-${index}`, process.execPath, [SERVER], {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    DATA_DIR: join(dir, `api-${index}`),
    LOG_LEVEL: "warn",
    JWT_SECRET: jwtSecret,
    DATABASE_URL: pgbouncer.url,
    DATABASE_LISTEN_URL: directUrl,
    // Long enough that a busy machine never passes for an outage: only real failures show here.
    DATABASE_CONNECT_TIMEOUT: "60s",
    DATABASE_STATEMENT_TIMEOUT: "60s",
    RATE_LIMIT_STORE: "redis",
    REDIS_URL,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    RATE_LIMIT_AUTH_POINTS: String(AUTH_POINTS),
    RATE_LIMIT_AUTH_DURATION: "10m",
    RATE_LIMIT_USER_POINTS: "100000000",
    // Each check sends its own client IP in X-Forwarded-For, so counts never mix between checks
    // (HAProxy appends the address it saw; the first one is the client's).
    TRUST_PROXY: "true",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(child, () => isReady(url));
  return { ...child, url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** HAProxy round-robin over the instances, each checked on `/ready`. */
async function startHaproxy(): Promise<Child> {
  const port = await freePort();
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(
    cfg,
    [
      "global",
      "  maxconn 2000",
      "defaults",
      "  mode http",
      "  timeout connect 5s",
      "  timeout client 5m",
      "  timeout server 5m",
      "  retries 3",
      "  option redispatch",
      "frontend api",
      `  bind 127.0.0.1:${port}`,
      "  option forwardfor",
      "  default_backend instances",
      "backend instances",
      "  balance roundrobin",
      "  option httpchk GET /ready",
      "  http-check expect status 200",
      // A killed instance refuses the check's connection at once; a slow answer on a busy machine
      // is waited for rather than taken for a dead instance.
      "  timeout check 60s",
      "  default-server inter 500ms fall 2 rise 2",
      ...instances.map((instance, i) => `  server api-${i} ${new URL(instance.url).host} check`),
    ].join("\n") + "\n",
  );
  const child = start("haproxy", "haproxy", ["-db", "-f", cfg]);
  balancer = `http://127.0.0.1:${port}`;
  await waitFor(child, () => isReady(balancer));
  return child;
}

let ipCounter = 0;
/** A client address of its own (TEST-NET-2, RFC 5737), sent as X-Forwarded-For. */
const newIp = () => `198.51.100.${++ipCounter}`;

async function signup(base: string): Promise<{ token: string; id: string }> {
  const reply = await send(base, "POST", "/api/v1/auth/signup", {
    json: { email: `cluster-${randomUUID()}@example.com`, password: PASSWORD },
    headers: { "x-forwarded-for": newIp() },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return { token: reply.body.accessToken, id: reply.body.user.id };
}

function createTask(base: string, token: string, title: string, key?: string): Promise<Reply> {
  return send(base, "POST", "/api/v1/tasks", {
    token,
    json: { title },
    headers: key === undefined ? {} : { "idempotency-key": key },
  });
}

async function titles(userId: string): Promise<Map<string, string[]>> {
  // Counted on the database itself, not through PgBouncer.
  const { rows } = await withAdmin(directUrl, (client) =>
    client.query<{ id: string; title: string }>("SELECT id, title FROM tasks WHERE user_id = $1", [
      userId,
    ]),
  );
  const byTitle = new Map<string, string[]>();
  for (const row of rows) byTitle.set(row.title, [...(byTitle.get(row.title) ?? []), row.id]);
  return byTitle;
}

beforeAll(async () => {
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`ALTER DATABASE ${database} SET statement_timeout = '60s'`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  directUrl = url.toString();
  pgbouncer = await PgBouncer.start(adminUrl, database);
  // Three instances start at once on the empty database: they migrate it together.
  const jwtSecret = randomBytes(32).toString("base64url");
  instances = await Promise.all(
    Array.from({ length: INSTANCES }, (_, i) => startInstance(i, jwtSecret)),
  );
  await startHaproxy();
});

afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill("SIGTERM");
    }
  }
  await Promise.all(children.map((child) => child.exited));
  await pgbouncer?.stop();
  await withAdmin(adminUrl, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  );
  rmSync(dir, { recursive: true, force: true });
});

describe("three API instances behind HAProxy, through PgBouncer, on one PostgreSQL and Redis", () => {
  it("replays an Idempotency-Key retried on another instance: same status and body, one task", async () => {
    const user = await signup(instances[0]!.url);
    const key = randomUUID();
    const first = await createTask(instances[0]!.url, user.token, "once", key);
    const again = await createTask(instances[1]!.url, user.token, "once", key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await titles(user.id)).get("once")).toEqual([first.body.id]);
    console.log(
      `idempotency: key sent to api-0 (${first.status}), retried on api-1 (${again.status}, ` +
        `replayed, same body); tasks with that title: 1`,
    );
  });

  it("counts a login limit across instances: attempts spread over them hit it at the configured count", async () => {
    const ip = newIp();
    const email = `nobody-${randomUUID()}@example.com`;
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= AUTH_POINTS; attempt++) {
      const instance = instances[attempt % INSTANCES]!;
      const reply = await send(instance.url, "POST", "/api/v1/auth/login", {
        json: { email, password: "not the password" },
        headers: { "x-forwarded-for": ip },
      });
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([...Array<number>(AUTH_POINTS).fill(401), 429]);
    // Counted in Redis, under this run's prefix.
    const { stdout: keys } = await promisify(execFile)("redis-cli", [
      "-u",
      REDIS_URL,
      "--scan",
      "--pattern",
      `${redisKeyPrefix}auth-ip:*`,
    ]);
    expect(keys).toContain(`${redisKeyPrefix}auth-ip:${ip}`);
    const refusedBy = instances[AUTH_POINTS % INSTANCES]!;
    const metrics = await (await fetch(refusedBy.metricsUrl)).text();
    expect(metrics).toMatch(/^rate_limit_rejections_total\{limit="auth-ip"\} [1-9]/m);
    console.log(
      `login limit ${AUTH_POINTS}: attempts on api-0, api-1, api-2 in turn answered ${statuses.join(", ")}`,
    );
  });

  it("measures throughput through HAProxy with three instances against one instance direct", async () => {
    const user = await signup(balancer);
    for (let i = 0; i < 20; i++)
      expect((await createTask(balancer, user.token, `t${i}`)).status).toBe(201);
    const wrk = async (base: string) => {
      const { stdout } = await promisify(execFile)("wrk", [
        "-t2",
        "-c24",
        "-d5s",
        "-H",
        `Authorization: Bearer ${user.token}`,
        `${base}/api/v1/tasks?limit=20`,
      ]);
      const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
      const perSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
      const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
      return { requests, perSecond, failed };
    };
    const one = await wrk(instances[0]!.url);
    const three = await wrk(balancer);
    for (const run of [one, three]) {
      expect(run.requests).toBeGreaterThan(0);
      expect(run.failed).toBe(0);
    }
    console.log(
      `throughput GET /api/v1/tasks (wrk -t2 -c24 -d5s): one instance direct ${one.perSecond.toFixed(0)} req/s, ` +
        `three behind HAProxy ${three.perSecond.toFixed(0)} req/s, ratio ${(three.perSecond / one.perSecond).toFixed(2)}`,
    );
  });

  it("serves the request, latency, pool, rate-limit and process series on METRICS_PORT", async () => {
    const text = await (await fetch(instances[0]!.metricsUrl)).text();
    for (const series of [
      "http_requests_total",
      "http_request_duration_seconds",
      "db_pool_connections",
      "rate_limit_rejections_total",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      // Declared even before their first sample (a counter by label has none until counted).
      expect(text, series).toMatch(new RegExp(`^# TYPE ${series} `, "m"));
    }
    const sample = text
      .split("\n")
      .filter((line) => /^(http_requests_total\{method="POST"|db_pool_connections)/.test(line));
    console.log(`metrics of api-0:\n  ${sample.join("\n  ")}`);
  });

  it("went through PgBouncer in transaction mode, with the statement timeout in force", async () => {
    await withAdmin(pgbouncer.adminUrl, async (admin) => {
      const pools = (await admin.query<{ database: string; pool_mode: string }>("SHOW POOLS")).rows;
      expect(pools.find((pool) => pool.database === database)?.pool_mode).toBe("transaction");
      const stats = (
        await admin.query<{ database: string; total_xact_count: string }>("SHOW STATS")
      ).rows;
      const transactions = Number(stats.find((row) => row.database === database)?.total_xact_count);
      expect(transactions).toBeGreaterThan(0);
      console.log(`pgbouncer: pool mode transaction, ${transactions} transactions so far`);
    });
    const shown = await withAdmin(pgbouncer.url, (client) =>
      client.query("SHOW statement_timeout"),
    );
    expect(shown.rows[0]).toEqual({ statement_timeout: "1min" });
  });

  it("loses no acknowledged write when an instance is SIGKILLed under load, and retries with keys make no duplicate", async () => {
    const user = await signup(balancer);
    const total = 240;
    const workers = 8;
    const killAfter = 60;
    const victim = instances[1]!;
    const acknowledged = new Map<string, string>();
    const retried = new Map<string, number>();
    let next = 0;
    let killedAt: number | undefined;
    const write = async (index: number) => {
      const title = `load ${index}`;
      const key = `load-${index}-${randomUUID()}`;
      for (let attempt = 1; ; attempt++) {
        let reply: Reply | undefined;
        let why: string;
        try {
          reply = await createTask(balancer, user.token, title, key);
          why = String(reply.status);
        } catch (error) {
          why = (error as NodeJS.ErrnoException).code ?? "network error";
        }
        if (reply && reply.status >= 200 && reply.status < 300) {
          acknowledged.set(title, reply.body.id);
          return;
        }
        // 409: the first request's transaction still holds the key; 5xx: the instance (or the
        // balancer's connection to it) went away. Anything else is a bug.
        if (reply && reply.status !== 409 && reply.status < 500) {
          throw new Error(`${title}: ${reply.status} ${JSON.stringify(reply.body)}`);
        }
        retried.set(why, (retried.get(why) ?? 0) + 1);
        if (attempt >= 200) throw new Error(`${title}: still failing after ${attempt} attempts`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * attempt)));
      }
    };
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < total) {
          const index = next++;
          await write(index);
          if (acknowledged.size >= killAfter && killedAt === undefined) {
            killedAt = acknowledged.size;
            victim.process.kill("SIGKILL");
          }
        }
      }),
    );
    expect(await victim.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(killedAt).toBeLessThan(total);

    const found = await titles(user.id);
    let present = 0;
    let duplicates = 0;
    for (const [title, id] of acknowledged) if (found.get(title)?.includes(id)) present++;
    for (const ids of found.values()) duplicates += ids.length - 1;
    const retries = [...retried].map(([why, count]) => `${count}× ${why}`).join(", ") || "none";
    console.log(
      `SIGKILL of api-1 after ${killedAt} of ${total} writes (8 clients through HAProxy, ` +
        `retries: ${retries}): acknowledged ${acknowledged.size}, found ${present}, duplicates ${duplicates}`,
    );
    expect(acknowledged.size).toBe(total);
    expect(present).toBe(acknowledged.size);
    expect(duplicates).toBe(0);
    expect(found.size).toBe(total);
  });
});
