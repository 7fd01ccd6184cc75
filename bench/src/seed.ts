import argon2 from "argon2";
import { ARGON2_OPTIONS } from "@todo/core";
import { migrateLatest, openDatabase } from "@todo/db";
import { withAdmin } from "@todo/db/testing";

/** The password of every seeded user (the load logs in with it). */
export const BENCH_PASSWORD = "bench-password-1";

/** The seeded user who owns the deep list. */
export const DEEP_EMAIL = "deep@bench.test";

/** The email of seeded user `n` (1-based). */
export const userEmail = (n: number): string => `user${n}@bench.test`;

/**
 * The projects every seeded user has, in number order (1–5). The seeded tasks are spread over them
 * unevenly, as real lists are: of every ten tasks (by number), four go to project 1, two to
 * project 2, one each to projects 3, 4 and 5, and one to no project (the Inbox). So project 1
 * holds 40 of an ordinary user's 100 tasks: its first page is as full as the first page of all.
 */
export const SEED_PROJECTS = ["Work", "Home", "Errands", "Reading", "Someday"] as const;

/** The project the load lists (`GET /tasks?project=1`): 40 % of each user's tasks. */
export const BENCH_PROJECT = 1;

/** How much to seed. */
export interface SeedSize {
  /** Ordinary users, each with {@link SeedSize.tasksPerUser} tasks. */
  readonly users: number;
  readonly tasksPerUser: number;
  /** Tasks of the one deep user ({@link DEEP_EMAIL}). */
  readonly deepTasks: number;
}

/** A seeded user and the session (refresh-token family) its access tokens name in `sid`. */
export interface SeededUser {
  readonly id: string;
  readonly sessionId: string;
}

/** What the seed made: users in email order, and timings in milliseconds. */
export interface Seeded {
  readonly users: readonly SeededUser[];
  readonly deep: SeededUser;
  readonly migrateMs: number;
  readonly seedMs: number;
}

/**
 * Creates the database `name` on the server at `adminUrl` (dropping a leftover of the same name),
 * applies the project's migrations with `migrateLatest`, and seeds it with bulk SQL
 * (`generate_series`), not through the API. Every user gets the same argon2id hash of
 * {@link BENCH_PASSWORD}, made once with the core's `ARGON2_OPTIONS`.
 */
export async function createSeededDatabase(
  adminUrl: string,
  name: string,
  size: SeedSize,
): Promise<Seeded> {
  await dropDatabase(adminUrl, name);
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));

  const started = performance.now();
  const db = openDatabase({ databaseUrl: databaseUrl(adminUrl, name), poolMax: 1 });
  try {
    await migrateLatest(db);
  } finally {
    await db.close();
  }
  const migrateMs = performance.now() - started;

  const hash = await argon2.hash(BENCH_PASSWORD, ARGON2_OPTIONS);
  return withAdmin(databaseUrl(adminUrl, name), async (client) => {
    const seeding = performance.now();
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO users (email, name, password_hash, created_at, updated_at)
       SELECT 'user' || n || '@bench.test', 'Bench user ' || n, $1, now(), now()
       FROM generate_series(1, $2::int) AS n`,
      [hash, size.users],
    );
    await client.query(
      `INSERT INTO users (email, name, password_hash) VALUES ($1, 'Deep user', $2)`,
      [DEEP_EMAIL, hash],
    );
    await client.query(
      `INSERT INTO projects (user_id, id, created_by, name, created_at, updated_at)
       SELECT u.id, p.n, u.id, p.name, timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00'
       FROM users u CROSS JOIN unnest($1::text[]) WITH ORDINALITY AS p (name, n)`,
      [SEED_PROJECTS],
    );
    await client.query(`UPDATE users SET project_seq = $1`, [SEED_PROJECTS.length]);
    // Varied rows (descriptions, due dates, priorities, tags, some completed, projects as
    // SEED_PROJECTS says), distinct timestamps a second apart in id order, so every sort and the
    // keyset cursor have real work to do.
    const insertTasks = `
      INSERT INTO tasks (user_id, id, title, description, completed, completed_at, due_date, priority, tags,
                         project_id, version, created_at, updated_at)
      SELECT u.id, t, 'Task ' || t || ' of ' || u.email,
             CASE WHEN t % 3 = 0 THEN 'Notes for task ' || t || ': call back, check the invoice, file it.' END,
             t % 4 = 0,
             CASE WHEN t % 4 = 0 THEN ts + interval '1 hour' END,
             CASE WHEN t % 5 = 0 THEN date '2026-06-01' + (t % 400) END,
             t % 4,
             CASE t % 3 WHEN 0 THEN '{}'::text[] WHEN 1 THEN ARRAY['home'] ELSE ARRAY['work', 'q4'] END,
             (ARRAY[1, 1, 1, 1, 2, 2, 3, 4, 5, NULL]::int[])[t % 10 + 1],
             1, ts, ts
      FROM users u
      CROSS JOIN LATERAL generate_series(1, $1::int) AS t
      CROSS JOIN LATERAL (SELECT timestamptz '2026-01-01 00:00:00+00' + t * interval '1 second' AS ts) AS stamp
      WHERE u.email LIKE $2`;
    await client.query(insertTasks, [size.tasksPerUser, "user%@bench.test"]);
    await client.query(insertTasks, [size.deepTasks, DEEP_EMAIL]);
    await client.query(
      `UPDATE users SET task_seq = (SELECT count(*) FROM tasks WHERE tasks.user_id = users.id)`,
    );
    // One live session per user, as a login leaves it: the API checks on every request that the
    // access token's session (its `sid`) still has an unrevoked, unexpired refresh token.
    await client.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
       SELECT id, gen_random_uuid(), md5(id::text || random()::text), now() + interval '30 days'
       FROM users`,
    );
    await client.query("COMMIT");
    // As a long-lived database would be: statistics current and the visibility map set.
    await client.query("VACUUM ANALYZE");
    const seedMs = performance.now() - seeding;

    const sessions = `SELECT u.id, r.family_id AS "sessionId" FROM users u
      JOIN refresh_tokens r ON r.user_id = u.id`;
    const byNumber = await client.query<SeededUser>(
      `${sessions} WHERE u.email LIKE 'user%@bench.test'
       ORDER BY substring(u.email from '^user([0-9]+)@')::int`,
    );
    const deep = await client.query<SeededUser>(`${sessions} WHERE u.email = $1`, [DEEP_EMAIL]);
    return {
      users: byNumber.rows,
      deep: deep.rows[0]!,
      migrateMs,
      seedMs,
    };
  });
}

/** Drops the database `name` (forcing out any connection); nothing when it does not exist. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  );
}

/** `adminUrl` with its database replaced by `name`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
