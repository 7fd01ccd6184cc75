// Test fixture: a freshly migrated database per test file, never shared and never mocked.
import { createHash, randomBytes } from "node:crypto";
import { testDatabaseUrl } from "@todo/config";
import pg from "pg";
import { migrateLatest, openDatabase, type Database } from "./database.js";
import { migrationSource } from "./migrations/index.js";

/** A database made for one test file; `close()` also drops it (PostgreSQL). */
export interface TestDatabase extends Database {
  /** The PostgreSQL database name, or `"pglite"` for the embedded one. */
  readonly name: string;
}

/**
 * Creates a freshly migrated database: on PostgreSQL when `TEST_DATABASE_URL` is set (cloned with
 * `CREATE DATABASE … TEMPLATE` from a template migrated once per migration set), else an in-memory
 * PGlite. Files that each call this can run in parallel and leave nothing behind.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = testDatabaseUrl();
  if (!adminUrl) {
    const database = openDatabase({});
    await migrateLatest(database.knex);
    return { ...database, name: "pglite" };
  }
  const template = await ensureTemplate(adminUrl);
  const name = `todo_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const database = openDatabase({ databaseUrl: withDatabase(adminUrl, name), poolMax: 20 });
  let dropped: Promise<void> | undefined;
  return {
    ...database,
    name,
    close: () =>
      (dropped ??= database
        .close()
        .then(() =>
          withAdmin(adminUrl, (admin) =>
            admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
          ),
        )
        .then(() => undefined)),
  };
}

async function ensureTemplate(adminUrl: string): Promise<string> {
  const template = `todo_template_${await migrationsHash()}`;
  await withAdmin(adminUrl, async (admin) => {
    // One process builds the template; the others wait on the lock and then find it.
    await admin.query("SELECT pg_advisory_lock(hashtext('todo_test_template'))");
    try {
      const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
      if (found.rowCount) return;
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const database = openDatabase({ databaseUrl: withDatabase(adminUrl, building), poolMax: 1 });
      try {
        await migrateLatest(database.knex);
      } finally {
        await database.close();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    } finally {
      await admin.query("SELECT pg_advisory_unlock(hashtext('todo_test_template'))");
    }
  });
  return template;
}

async function migrationsHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const entry of await migrationSource.getMigrations([])) {
    const migration = await migrationSource.getMigration(entry);
    hash.update(migrationSource.getMigrationName(entry)).update(String(migration.up));
  }
  return hash.digest("hex").slice(0, 12);
}

async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
