import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import createDebug from "debug";
import knexFactory, { type Knex } from "knex";
import ClientPgLite from "knex-pglite";
import pg from "pg";
import {
  connection,
  pooledDriver,
  sql,
  transactionDriver,
  type Connection,
  type Queryable,
  type StatementObserver,
} from "./connection.js";
import { pgliteListener, postgresListener, type Listener } from "./listener.js";
import { migrationSource } from "./migrations/index.js";
import { bindTables, type Tables } from "./tables/index.js";

/** Where the database lives and how long to wait for it. */
export interface DatabaseOptions {
  /** `postgres://…`; when undefined, PGlite is used. */
  databaseUrl?: string | undefined;
  /** Folder for PGlite's files (`<dataDir>/pgdata`); undefined with no URL means in memory. */
  dataDir?: string | undefined;
  /**
   * PostgreSQL only: where {@link Database.listener} connects, directly (not through a pooler in
   * transaction mode, which cannot LISTEN). Default `databaseUrl`.
   */
  listenUrl?: string | undefined;
  /** Largest pg pool size (ignored by PGlite, which has one connection). Default 10. */
  poolMax?: number | undefined;
  /**
   * PostgreSQL only: milliseconds a statement waits for a connection, free in the pool or new
   * (TCP, TLS and authentication included), before it fails as unavailable. Default 1500.
   */
  connectTimeoutMs?: number | undefined;
  /**
   * PostgreSQL only: the server's `statement_timeout` for every connection, in milliseconds; a
   * statement running longer is cancelled (SQLSTATE 57014). Migrations run without it. Default 5000.
   */
  statementTimeoutMs?: number | undefined;
  /**
   * Called with every statement sent, on the fast path or through knex (tests, the bench).
   * Without one, `DEBUG=todo:sql` logs each statement's text.
   */
  onStatement?: StatementObserver | undefined;
}

/**
 * An open database: each table through its one module ({@link Tables}), transactions over them,
 * and the database's health. Nothing else reaches the tables.
 */
export interface Database extends Tables {
  readonly dialect: "postgres" | "pglite";
  /**
   * Runs `work` in one transaction, on one connection: committed when it resolves, rolled back
   * when it throws (the error is rethrown). `work` is given the database as seen from inside the
   * transaction: its tables run there, and its own `transaction` opens a savepoint (rolled back
   * alone when its work throws). Inside, use only that database: the outer one's tables run
   * outside the transaction (and on PGlite wait for it to end).
   */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T>;
  /**
   * The one listening connection of this database (see {@link Listener}), opened on first use and
   * closed with the database. Send with `notify` on the tables, inside a transaction or not.
   */
  readonly listener: Listener;
  /** True when the database answers a trivial query; rejects when it cannot be reached. */
  ping(): Promise<boolean>;
  /**
   * The pool's connections now: `inUse` (lent to a statement or transaction), `idle`, and
   * `waiting` (statements queued for one). PGlite has one connection.
   */
  poolStats(): PoolStats;
  /** Closes the listener and the pool (or the embedded database). Safe to call twice. */
  close(): Promise<void>;
}

/** See {@link Database.poolStats}. */
export interface PoolStats {
  readonly inUse: number;
  readonly idle: number;
  readonly waiting: number;
}

/** 1.5 s: see {@link DatabaseOptions.connectTimeoutMs} and @todo/config's `DATABASE_CONNECT_TIMEOUT`. */
const DEFAULT_CONNECT_TIMEOUT_MS = 1500;
/** 5 s: see {@link DatabaseOptions.statementTimeoutMs} and `DATABASE_STATEMENT_TIMEOUT`. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

const debugSql = createDebug("todo:sql");

// `date` columns stay `YYYY-MM-DD` strings: a JS Date would shift them by the host's time zone.
const DATE_OID = 1082;
const keepDateText = (value: string): string => value;

/** The knex and connection behind each open database (never exported from the package). */
const internals = new WeakMap<Database, { knex: Knex; root: Connection }>();

/**
 * Opens a database per {@link DatabaseOptions}. Nothing global is touched, so two databases can
 * live in one process. Nothing connects until the first statement.
 */
export function openDatabase(options: DatabaseOptions): Database {
  const observe =
    options.onStatement ?? (debugSql.enabled ? (statement) => debugSql(statement.sql) : undefined);
  if (!options.databaseUrl) {
    const { knex, pglite } = pgliteKnex(options.dataDir);
    const driver = pooledDriver(knex);
    const tarn = (knex.client as { pool?: TarnPool }).pool;
    return database(
      knex,
      "pglite",
      driver,
      observe,
      () => pgliteListener(pglite, driver),
      undefined,
      () => ({
        inUse: tarn?.numUsed() ?? 0,
        idle: tarn?.numFree() ?? 0,
        waiting: tarn?.numPendingAcquires() ?? 0,
      }),
    );
  }
  const pool = postgresPool(options);
  const knex = knexFactory({
    client: "pg",
    connectionPool: pool,
    log: { warn: quietAcquireErrors },
  });
  const listenUrl = options.listenUrl ?? options.databaseUrl;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return database(
    knex,
    "postgres",
    pool,
    observe,
    () => postgresListener(listenUrl, { connectTimeoutMs }),
    () => pool.end(),
    () => ({
      inUse: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
  );
}

/** What knex's pool (tarn) tells of itself. */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function database(
  knex: Knex,
  dialect: Database["dialect"],
  driver: Queryable,
  observe: StatementObserver | undefined,
  openListener: () => Listener,
  closePool: (() => Promise<void>) | undefined,
  poolStats: () => PoolStats,
): Database {
  // Statements knex runs itself (Objection's, transactions' BEGIN/COMMIT) are observed too.
  if (observe) {
    knex.on("query", (query: { sql: string; bindings?: unknown[] }) => {
      observe({ sql: query.sql, bindings: query.bindings ?? [] });
    });
  }
  const root = connection(knex, driver, observe);
  let closed: Promise<void> | undefined;
  let listener: Listener | undefined;
  const db: Database = {
    ...bindTables(root),
    dialect,
    transaction: (work) => knex.transaction(async (trx) => work(await inTransaction(trx))),
    get listener() {
      return (listener ??= openListener());
    },
    ping: async () => (await root.rows(sql("SELECT 1"))).length === 1,
    poolStats,
    close: () =>
      // A listener asked for after this is a closed one, never a new connection.
      (closed ??= (listener ??= openListener()).close().then(() => knex.destroy().then(closePool))),
  };
  /** The database as seen from inside `trx`; closing it closes nothing (its owner does). */
  const inTransaction = async (trx: Knex.Transaction): Promise<Database> => {
    const inside = connection(trx, await transactionDriver(trx), observe);
    return {
      ...bindTables(inside),
      dialect,
      // knex runs a transaction opened on a transaction as a savepoint.
      transaction: (work) =>
        trx.transaction(async (savepoint) => work(await inTransaction(savepoint))),
      get listener() {
        return db.listener;
      },
      ping: async () => (await inside.rows(sql("SELECT 1"))).length === 1,
      poolStats,
      close: async () => {},
    };
  };
  internals.set(db, { knex, root });
  return db;
}

/**
 * knex's warnings, without the one it prints for every statement that finds no connection (the
 * database is down): that error reaches the caller anyway, which answers 503, and a line per
 * request would flood the log during an outage.
 */
function quietAcquireErrors(message: string): void {
  if (!message.startsWith("Acquire connection error")) console.warn(message);
}

/** pg's parsers, except `date`, which stays text. */
const typeParser = ((oid: number, format?: "text" | "binary") =>
  oid === DATE_OID
    ? keepDateText
    : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser;

/**
 * The one pool of PostgreSQL connections, shared by knex (`connectionPool`) and the table
 * modules' fast path. Idle connections close after 30 s.
 */
function postgresPool(options: DatabaseOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // Sent at connection start-up, so it holds for every statement of every connection.
    statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    // Lets the kernel notice a peer that vanished without closing the connection.
    keepAlive: true,
    types: { getTypeParser: typeParser },
  });
  // An idle connection the server closed (restart, idle timeout) is dropped by the pool and
  // replaced on the next query; without a listener its error would end the process.
  pool.on("error", () => undefined);
  return pool;
}

/**
 * PGlite's start-up parameters: its own, and 16 MB of shared buffers rather than PostgreSQL's
 * 128 MB. One user's tasks fit many times over, the host's page cache keeps the files warm, and
 * the WASM heap, which never shrinks, is spared about 110 MB (`pnpm start` once reached 845 MB).
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

function pgliteKnex(dataDir: string | undefined): { knex: Knex; pglite: PGlite } {
  let location: string | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    location = join(dataDir, "pgdata");
    if (!existsSync(join(location, "PG_VERSION"))) createPgliteData(location);
  }
  const pglite = new PGlite({
    dataDir: location,
    parsers: { [pgliteTypes.DATE]: keepDateText },
    startParams: PGLITE_START_PARAMS,
  });
  const knex = knexFactory({
    client: ClientPgLite,
    dialect: "postgres",
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
  });
  return { knex, pglite };
}

/**
 * Creates a PGlite data folder in a child process, which waits for it (a few seconds, once). In
 * this process, initdb would leave some 500 MB behind (its own WASM module, a second PGlite and an
 * image of the folder) for as long as the garbage collector does not come by; a child returns it
 * all when it exits.
 * @throws {Error} when the child fails (its stderr is shown).
 */
function createPgliteData(location: string): void {
  const script = `const { PGlite } = await import(process.argv[1]);
    const db = new PGlite({ dataDir: process.argv[2] });
    await db.waitReady;
    await db.close();`;
  execFileSync(
    process.execPath,
    ["--input-type=module", "-e", script, import.meta.resolve("@electric-sql/pglite"), location],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
}

/** {@link migrationSource} with each migration run without `statement_timeout` (index builds may be long). */
const unboundedMigrations: typeof migrationSource = {
  ...migrationSource,
  getMigration: async (entry) => {
    const migration = await migrationSource.getMigration(entry);
    const unbounded =
      (step: ((knex: Knex) => PromiseLike<unknown>) | undefined) =>
      async (knex: Knex): Promise<void> => {
        // Each migration runs in its own transaction, which SET LOCAL lasts for.
        await knex.raw("SET LOCAL statement_timeout = 0");
        await step?.(knex);
      };
    return { up: unbounded(migration.up), down: unbounded(migration.down) };
  },
};

/**
 * How often {@link migrateLatest} tries again while another process migrates: up to this many
 * times, the pause doubling from 50 ms to 1 s (so about ten minutes of someone else's migration).
 */
const MIGRATION_ATTEMPTS = 600;
/** SQLSTATEs of two processes creating knex's bookkeeping tables at once: 42P07 duplicate_table, 23505 (pg_type). */
const CREATION_RACE_STATES = new Set(["42P07", "23505"]);

/**
 * Applies every pending migration to `db`. Resolves to the names it applied (empty when up to
 * date). Several processes may call it at once on one database (instances starting together):
 * while another holds knex's migration lock (`knex_migrations_lock`), or creates its bookkeeping
 * tables at the same moment, this one waits and tries again, and then finds the migrations
 * applied. The lock is a row, not a session's advisory lock, so this works through a transaction
 * pooler (PgBouncer) too.
 * @throws the migration's own error; knex's `MigrationLocked` error when the lock is still held
 *   after {@link MIGRATION_ATTEMPTS} tries (a migrator that died holding it: see knex's
 *   `migrate:unlock`).
 */
export async function migrateLatest(db: Database): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [, applied] = (await migrator(db).latest({
        migrationSource: unboundedMigrations,
      })) as [number, string[]];
      return applied;
    } catch (error) {
      const { name, code } = error as { name?: unknown; code?: unknown };
      const raced =
        name === "MigrationLocked" ||
        (typeof code === "string" && CREATION_RACE_STATES.has(code) && attempt < 10);
      if (!raced || attempt >= MIGRATION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
    }
  }
}

/** Rolls every migration of `db` back (tests and tooling only). */
export async function migrateRollbackAll(db: Database): Promise<void> {
  await migrator(db).rollback({ migrationSource: unboundedMigrations }, true);
}

function internalsOf(db: Database): { knex: Knex; root: Connection } {
  const found = internals.get(db);
  if (!found) throw new Error("not a database made by openDatabase");
  return found;
}

function migrator(db: Database): Knex.Migrator {
  return internalsOf(db).knex.migrate;
}

/** The pool-side connection of `db`, for this package's test fixture. */
export function rootConnection(db: Database): Connection {
  return internalsOf(db).root;
}
