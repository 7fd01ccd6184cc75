import { SignJWT, jwtVerify } from "jose";
import pg from "pg";
import { testConfig } from "@todo/config";
import { createServices } from "@todo/core";
import { openDatabase } from "@todo/db";
import { SESSION_SQL } from "./baseline.js";
import type { SeededUser } from "./seed.js";

/** CPU time per operation of one layer, in microseconds, measured in this process. */
export interface LayerTiming {
  readonly name: string;
  readonly cpuUs: number;
  readonly opsPerSecond: number;
}

const GET_SQL = `select * from "tasks" where "tasks"."user_id" = $1 and "deleted_at" is null and "id" = $2 limit $3`;

/**
 * Where a request's CPU goes, layer by layer, without HTTP: the core's services against the same
 * statement through knex's runner, through knex's SQL on `Database.rows` (what the core does) and
 * through `pg`, and jose's HS256 verification with the secret as bytes
 * against a pre-imported CryptoKey (what AuthService passes). Each op runs `count` times at 16 in
 * flight; the figure is `process.cpuUsage()` per op, which contention on a shared machine moves
 * far less than throughput.
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
  const db = openDatabase({ databaseUrl: url });
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
  const taskQuery = (i: number) =>
    db
      .knex("tasks")
      .where("tasks.user_id", user(i))
      .whereNull("deleted_at")
      .where({ id: id(i) })
      .first();
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
      "Session live: pg, same SQL",
      (i) => pool.query(SESSION_SQL, [user(i), seededUser(i).sessionId]),
    ],
    ["TaskService.get (core)", (i) => services.tasks.get(actor(i), id(i))],
    ["Task get: knex builder, awaited (knex's runner)", (i) => taskQuery(i)],
    ["Task get: knex builder on Database.rows (API)", (i) => db.rows(taskQuery(i))],
    ["Task get: pg, same SQL", (i) => pool.query(GET_SQL, [user(i), id(i), 1])],
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
