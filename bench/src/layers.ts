import { SignJWT, jwtVerify } from "jose";
import pg from "pg";
import { testConfig } from "@todo/config";
import { createServices } from "@todo/core";
import { openDatabase, refreshTokenStatements, taskStatements, type Statement } from "@todo/db";
import type { SeededUser } from "./seed.js";
import { userEmail } from "./seed.js";

/** CPU time per operation of one layer, in microseconds, measured in this process. */
export interface LayerTiming {
  readonly name: string;
  readonly cpuUs: number;
  readonly opsPerSecond: number;
}

/**
 * Where a request's CPU goes, layer by layer, without HTTP: the core's services, the table
 * modules they call (`db.tasks`, `db.refreshTokens` on the fast path; `db.users` through its
 * Objection model) and the same statement through `pg` alone, and jose's HS256 verification with
 * the secret as bytes against a pre-imported CryptoKey (what AuthService passes). Each op runs
 * `count` times at 16 in flight; the figure is `process.cpuUsage()` per op, which contention on a
 * shared machine moves far less than throughput.
 */
export async function measureLayers(
  url: string,
  secret: string,
  users: readonly SeededUser[],
  count: number,
): Promise<LayerTiming[]> {
  const config = testConfig({
    JWT_SECRET: secret,
    JWT_ISSUER: "todo",
    JWT_AUDIENCE: "todo-api",
    DATABASE_URL: url,
  });
  let captured: { sql: string } | undefined;
  const db = openDatabase({
    databaseUrl: url,
    onStatement: (statement) => {
      captured = statement;
    },
  });
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const services = createServices(db, config);
  const bytes = new TextEncoder().encode(secret);
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    bytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const now = Math.floor(Date.now() / 1000);
  const tokens = await Promise.all(
    users.slice(0, 100).map((seeded) =>
      new SignJWT({ sid: seeded.sessionId })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(seeded.id)
        .setIssuer("todo")
        .setAudience("todo-api")
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(bytes),
    ),
  );
  const verifyOptions = {
    algorithms: ["HS256"],
    issuer: "todo",
    audience: "todo-api",
    requiredClaims: ["exp", "iat", "sub"],
  };
  const seededUser = (i: number) => users[i % users.length]!;
  const user = (i: number) => seededUser(i).id;
  const actor = (i: number) => ({ userId: user(i) });
  const id = (i: number) => 1 + (i % 100);
  const email = (i: number) => userEmail(1 + (i % users.length));
  const viaPg = (statement: Statement<unknown>) =>
    pool.query(statement.sql, statement.bindings as unknown[]);
  // The text Objection sends for a lookup by email, as the database's statement observer saw it.
  await db.users.findByEmail(email(0));
  const byEmailSql = captured!.sql;
  const ops: [string, (i: number) => Promise<unknown>][] = [
    [
      "jose jwtVerify, secret as bytes",
      (i) => jwtVerify(tokens[i % tokens.length]!, bytes, verifyOptions),
    ],
    [
      "jose jwtVerify, pre-imported CryptoKey (API)",
      (i) => jwtVerify(tokens[i % tokens.length]!, cryptoKey, verifyOptions),
    ],
    [
      "AuthService.authenticate (verify + session live)",
      (i) => services.auth.authenticate(tokens[i % tokens.length]!),
    ],
    [
      "Session live: db.refreshTokens (fast path)",
      (i) => db.refreshTokens.sessionLive(user(i), seededUser(i).sessionId),
    ],
    [
      "Session live: pg, same SQL",
      (i) => pool.query(refreshTokenStatements.sessionLive, [user(i), seededUser(i).sessionId]),
    ],
    ["TaskService.get (core)", (i) => services.tasks.get(actor(i), id(i))],
    ["Task find: db.tasks (fast path)", (i) => db.tasks.find(user(i), id(i))],
    ["Task find: pg, same SQL", (i) => viaPg(taskStatements.find(user(i), id(i)))],
    [
      "TaskService.list page 1 (core, 2 queries)",
      (i) =>
        services.tasks.list(actor(i), {
          status: "all",
          deleted: false,
          sort: "-createdAt",
          limit: 20,
        }),
    ],
    [
      "TaskService.update title (core)",
      (i) => services.tasks.update(actor(i), id(i), { title: `Layer ${i}` }),
    ],
    [
      "Task change title: db.tasks (fast path)",
      (i) => db.tasks.change(user(i), id(i), { title: `Layer change ${i}` }),
    ],
    [
      "Task change title: pg, same SQL",
      (i) => viaPg(taskStatements.update(user(i), id(i), { title: `Layer pg ${i}` })),
    ],
    ["User by email: db.users (Objection model)", (i) => db.users.findByEmail(email(i))],
    ["User by email: pg, same SQL", (i) => pool.query(byEmailSql, [email(i), 1])],
  ];
  const timings: LayerTiming[] = [];
  try {
    for (const [name, op] of ops) {
      // Long enough a warm-up that the JIT has settled: 100 ops left figures up to twice too high.
      for (let i = 0; i < 1500; i++) await op(i);
      const cpu = process.cpuUsage();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < count) await op(next++);
        }),
      );
      const used = process.cpuUsage(cpu);
      timings.push({
        name,
        cpuUs: Math.round((used.user + used.system) / count),
        opsPerSecond: Math.round((count / (performance.now() - started)) * 1000),
      });
    }
  } finally {
    await db.close();
    await pool.end();
  }
  return timings;
}
