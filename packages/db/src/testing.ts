// Test fixture: a freshly migrated database per test file, never shared and never mocked.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { testDatabaseUrl } from "@todo/config";
import pg from "pg";
import { sql, type StatementObserver } from "./connection.js";
import { migrateLatest, openDatabase, rootConnection, type Database } from "./database.js";
import { migrationSource } from "./migrations/index.js";

/** How long a test's statement may wait for a connection or run: 10 minutes, as the test runner's limit. */
const TEST_TIMEOUT_MS = 600_000;

/** A database made for one test file; `close()` also drops it (PostgreSQL). */
export interface TestDatabase extends Database {
  /** The PostgreSQL database name, or `"pglite"` for the embedded one. */
  readonly name: string;
  /** Its PostgreSQL URL, for a second process's connections; `undefined` for PGlite. */
  readonly url: string | undefined;
  /**
   * Runs one statement (`$n` placeholders) and resolves to its rows: for what no table module
   * does and no test should need a module to do — bulk seeding, moving a row back in time,
   * EXPLAIN. A test that reads or writes state a module offers goes through the module.
   */
  sql<Row = Record<string, unknown>>(text: string, bindings?: readonly unknown[]): Promise<Row[]>;
}

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** Called with every statement the database sends (see `DatabaseOptions.onStatement`). */
  onStatement?: StatementObserver;
}

/**
 * Creates a freshly migrated database: on PostgreSQL when `TEST_DATABASE_URL` is set (cloned with
 * `CREATE DATABASE … TEMPLATE` from a template migrated once per migration set), else an in-memory
 * PGlite. Files that each call this can run in parallel and leave nothing behind.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = testDatabaseUrl();
  if (!adminUrl) {
    const database = openDatabase({ onStatement: options.onStatement });
    await migrateLatest(database);
    return Object.assign(database, { name: "pglite", url: undefined, sql: rawSql(database) });
  }
  const template = await ensureTemplate(adminUrl);
  const name = `todo_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = withDatabase(adminUrl, name);
  const database = openDatabase({
    databaseUrl: url,
    poolMax: 20,
    // Tests run on busy machines: a slow moment must not pass for an outage. Only a true hang
    // should stop a test, and the test runner's limit catches that.
    connectTimeoutMs: TEST_TIMEOUT_MS,
    statementTimeoutMs: TEST_TIMEOUT_MS,
    onStatement: options.onStatement,
  });
  const close = database.close.bind(database);
  let dropped: Promise<void> | undefined;
  // The same object, so that what @todo/db knows of the database (its migrations) still holds.
  return Object.assign(database, {
    name,
    url,
    sql: rawSql(database),
    close: () =>
      (dropped ??= close()
        .then(() =>
          withAdmin(adminUrl, (admin) =>
            admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
          ),
        )
        .then(() => undefined)),
  });
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
      const database = openDatabase({
        databaseUrl: withDatabase(adminUrl, building),
        poolMax: 1,
        connectTimeoutMs: TEST_TIMEOUT_MS,
      });
      try {
        await migrateLatest(database);
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

function rawSql(database: Database): TestDatabase["sql"] {
  const connection = rootConnection(database);
  return (text, bindings = []) => connection.rows(sql(text, bindings));
}

async function migrationsHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const entry of await migrationSource.getMigrations([])) {
    const migration = await migrationSource.getMigration(entry);
    hash.update(migrationSource.getMigrationName(entry)).update(String(migration.up));
  }
  return hash.digest("hex").slice(0, 12);
}

/**
 * Runs `run` on one new `pg.Client` connected to `url` (an administration connection: CREATE and
 * DROP DATABASE cannot run in a pool's transaction), and ends it however `run` ends.
 */
export async function withAdmin<T>(
  url: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
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

/** A TCP port on 127.0.0.1 that was free a moment ago (bound, then released): for a server to start on, or to find nothing listening. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * The folder of the newest PostgreSQL server programs (initdb, pg_ctl) installed the Debian way
 * (`/usr/lib/postgresql/<version>/bin`), or `undefined` where there are none.
 */
export function postgresServerBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/**
 * A PostgreSQL cluster of a test's own, in a temporary folder, on `port`: for tests that stop and
 * start the server under a running process. Made with initdb and run with pg_ctl as the
 * `postgres` OS user when the tests run as root (initdb refuses root; CI runs as root), else as
 * the current user. `url` connects as `postgres` without a password (trust).
 */
export class PostgresCluster {
  private readonly folder = mkdtempSync(join(tmpdir(), "todo-cluster-"));
  private readonly data = join(this.folder, "data");
  private readonly asUser: { uid: number; gid: number } | undefined;

  constructor(
    private readonly bin: string,
    readonly port: number,
  ) {
    const root = process.getuid?.() === 0;
    this.asUser = root
      ? {
          uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
          gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
        }
      : undefined;
    if (this.asUser) chownSync(this.folder, this.asUser.uid, this.asUser.gid);
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  init(): Promise<void> {
    return this.run("initdb", [
      "-D",
      this.data,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--no-locale",
      "--no-sync",
    ]);
  }

  /** Starts the server and resolves once it accepts connections. */
  start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.folder}`;
    return this.run("pg_ctl", ["start", "-w", "-D", this.data, "-o", options, "-l", this.log]);
  }

  /** Kills the server as a crash would (`immediate`: no checkpoint, recovery from WAL on start). */
  kill(): Promise<void> {
    return this.run("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", this.data]);
  }

  async remove(): Promise<void> {
    if (existsSync(join(this.data, "postmaster.pid"))) await this.kill().catch(() => undefined);
    rmSync(this.folder, { recursive: true, force: true });
  }

  private get log(): string {
    return join(this.folder, "log");
  }

  /** Runs a PostgreSQL program without blocking the API this process serves meanwhile. */
  private async run(program: string, args: string[]): Promise<void> {
    const command = join(this.bin, program);
    if (this.asUser) await run("runuser", ["-u", "postgres", "--", command, ...args]);
    else await run(command, args);
  }
}

const run = promisify(execFile);

/** Where Debian installs PgBouncer; {@link PgBouncer} needs it. */
export const PGBOUNCER_BIN = "/usr/sbin/pgbouncer";

/**
 * The PgBouncer settings this service needs in front of PostgreSQL (README, "Deploying"):
 * transaction pooling, and `statement_timeout` ignored as a start-up parameter. node-postgres
 * sends `DATABASE_STATEMENT_TIMEOUT` that way, and PgBouncer refuses a start-up parameter it
 * cannot keep per client; the timeout is then the database's or role's own setting
 * (`ALTER DATABASE … SET statement_timeout`).
 */
export const PGBOUNCER_SETTINGS: Readonly<Record<string, string>> = {
  pool_mode: "transaction",
  ignore_startup_parameters: "statement_timeout",
};

/**
 * A PgBouncer of a test's own (Debian's, at {@link PGBOUNCER_BIN}) on a free port of 127.0.0.1,
 * pooling connections to `database` on the server of `serverUrl` as its user, without
 * authentication (`auth_type = any`), with {@link PGBOUNCER_SETTINGS}. Its files live in a
 * temporary folder; when the tests run as root it runs as the `postgres` OS user (it refuses root).
 */
export class PgBouncer {
  private constructor(
    private readonly process: ChildProcess,
    private readonly exited: Promise<unknown>,
    private readonly folder: string,
    /** The port it listens on. */
    readonly port: number,
    /** The pooled database's URL, through PgBouncer. */
    readonly url: string,
  ) {}

  /** The URL of PgBouncer's admin console (`SHOW POOLS`, `SHOW STATS`). */
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/pgbouncer`;
  }

  /**
   * Starts PgBouncer and resolves once it answers a query on `database`.
   * @throws {Error} with its output when it exits first.
   */
  static async start(serverUrl: string, database: string): Promise<PgBouncer> {
    const folder = mkdtempSync(join(tmpdir(), "todo-pgbouncer-"));
    const server = new URL(serverUrl);
    const port = await freePort();
    const ini = join(folder, "pgbouncer.ini");
    const user = decodeURIComponent(server.username) || "postgres";
    writeFileSync(
      ini,
      [
        "[databases]",
        `${database} = host=${server.hostname} port=${server.port || 5432} dbname=${database} user=${user}`,
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        `listen_port = ${port}`,
        "unix_socket_dir =",
        "auth_type = any",
        "max_client_conn = 500",
        "default_pool_size = 20",
        `admin_users = ${user}`,
        `pidfile = ${join(folder, "pgbouncer.pid")}`,
        ...Object.entries(PGBOUNCER_SETTINGS).map(([name, value]) => `${name} = ${value}`),
      ].join("\n") + "\n",
    );
    const root = process.getuid?.() === 0;
    if (root) {
      chownSync(folder, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), -1);
    }
    const output: Buffer[] = [];
    const child = spawn(PGBOUNCER_BIN, root ? ["-u", "postgres", ini] : [ini], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    const exited = once(child, "exit");
    let gone = false;
    void exited.then(() => (gone = true));
    const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${database}`;
    for (;;) {
      if (gone) {
        rmSync(folder, { recursive: true, force: true });
        throw new Error(`pgbouncer exited: ${Buffer.concat(output).toString("utf8")}`);
      }
      const answered = await withAdmin(url, (client) => client.query("SELECT 1")).then(
        () => true,
        () => false,
      );
      if (answered) return new PgBouncer(child, exited, folder, port, url);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops it (closing its connections) and removes its folder. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill("SIGTERM");
    }
    await this.exited;
    rmSync(this.folder, { recursive: true, force: true });
  }
}
