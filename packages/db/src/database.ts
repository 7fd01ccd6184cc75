import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import createDebug from "debug";
import knexFactory, { type Knex } from "knex";
import ClientPgLite from "knex-pglite";
import pg from "pg";
import { migrationSource } from "./migrations/index.js";
import { bindModels, type Models } from "./models/index.js";

/** Where the database lives: a PostgreSQL URL, or the embedded PGlite database. */
export interface DatabaseOptions {
  /** `postgres://…`; when undefined, PGlite is used. */
  databaseUrl?: string | undefined;
  /** Folder for PGlite's files (`<dataDir>/pgdata`); undefined with no URL means in memory. */
  dataDir?: string | undefined;
  /** Largest pg pool size (ignored by PGlite, which has one connection). Default 10. */
  poolMax?: number;
}

/** A statement {@link Database.rows} can run: a knex query builder or `knex.raw(…)`. */
export type Statement = Knex.QueryBuilder | Knex.Raw;

/** An open database: the knex instance, the models bound to it, and how to close it. */
export interface Database {
  readonly knex: Knex;
  readonly models: Models;
  readonly dialect: "postgres" | "pglite";
  /**
   * Runs one statement built with {@link Database.knex} and resolves to its result rows (for
   * `UPDATE … RETURNING`, the returned rows; a builder's `.first()` still yields an array). On
   * PostgreSQL the SQL knex compiled goes straight to the driver's pool, the pool knex itself
   * uses: knex's query runner (pool bookkeeping, events, placeholder rewriting) cost 15–25 µs of
   * CPU per statement, as much as `pg` itself (bench/). On PGlite it runs through knex, whose
   * one-connection pool keeps statements out of another caller's transaction.
   * @throws the driver's error (`pg`'s `DatabaseError`, with its SQLSTATE `code`) as knex would.
   */
  rows<Row>(statement: Statement): Promise<Row[]>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** Closes the pool (or the embedded database). Safe to call twice. */
  close(): Promise<void>;
}

const debugQuery = createDebug("knex:query");

// `date` columns stay `YYYY-MM-DD` strings: a JS Date would shift them by the host's time zone.
const DATE_OID = 1082;
const keepDateText = (value: string): string => value;

/**
 * Opens a database per {@link DatabaseOptions}. Nothing global is touched: models are bound to
 * this knex instance, so two databases can live in one process.
 */
export function openDatabase(options: DatabaseOptions): Database {
  if (!options.databaseUrl) {
    const knex = pgliteKnex(options.dataDir);
    return database(knex, "pglite", async (statement) => {
      // Re-run as raw SQL, whose `?` are read as placeholders again: a statement with a literal
      // question mark (written `\\?`) would need it escaped once more. None of ours has one.
      const { sql, bindings } = statement.toSQL();
      return (await knex.raw<{ rows: never[] }>(sql, bindings)).rows;
    });
  }
  const pool = postgresPool(options.databaseUrl, options.poolMax ?? 10);
  const knex = knexFactory({ client: "pg", connectionPool: pool });
  return database(
    knex,
    "postgres",
    async (statement) => {
      const { sql, bindings } = statement.toSQL().toNative();
      // Announced as knex announces the statements it runs (its `query` event, `DEBUG=knex:query`),
      // so query logging and the tests that read the SQL see every statement.
      if (knex.listenerCount("query") > 0) knex.emit("query", { sql, bindings });
      debugQuery(sql);
      return (await pool.query(sql, bindings as unknown[])).rows as never[];
    },
    () => pool.end(),
  );
}

function database(
  knex: Knex,
  dialect: Database["dialect"],
  rows: Database["rows"],
  closePool: () => Promise<void> = async () => {},
): Database {
  let closed: Promise<void> | undefined;
  return {
    knex,
    models: bindModels(knex),
    dialect,
    rows,
    ping: () => knex.raw("SELECT 1").then(() => true),
    close: () => (closed ??= knex.destroy().then(closePool)),
  };
}

/** pg's parsers, except `date`, which stays text. */
const typeParser = ((oid: number, format?: "text" | "binary") =>
  oid === DATE_OID
    ? keepDateText
    : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser;

/**
 * The one pool of PostgreSQL connections, shared by knex (`connectionPool`) and
 * {@link Database.rows}. Idle connections close after 30 s.
 */
function postgresPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 60_000,
    types: { getTypeParser: typeParser },
  });
  // An idle connection the server closed (restart, idle timeout) is dropped by the pool and
  // replaced on the next query; without a listener its error would end the process.
  pool.on("error", () => undefined);
  return pool;
}

function pgliteKnex(dataDir: string | undefined): Knex {
  let location: string | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    location = join(dataDir, "pgdata");
  }
  const pglite = new PGlite({ dataDir: location, parsers: { [pgliteTypes.DATE]: keepDateText } });
  return knexFactory({
    client: ClientPgLite,
    dialect: "postgres",
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
  });
}

/** Applies every pending migration. Returns the names it applied (empty when up to date). */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** Rolls every migration back (tests and tooling only). */
export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ migrationSource }, true);
}
