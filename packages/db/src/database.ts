import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
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

/** An open database: the knex instance, the models bound to it, and how to close it. */
export interface Database {
  readonly knex: Knex;
  readonly models: Models;
  readonly dialect: "postgres" | "pglite";
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** Closes the pool (or the embedded database). Safe to call twice. */
  close(): Promise<void>;
}

// `date` columns stay `YYYY-MM-DD` strings: a JS Date would shift them by the host's time zone.
const DATE_OID = 1082;
const keepDateText = (value: string): string => value;

/**
 * Opens a database per {@link DatabaseOptions}. Nothing global is touched: models are bound to
 * this knex instance, so two databases can live in one process.
 */
export function openDatabase(options: DatabaseOptions): Database {
  const knex = options.databaseUrl
    ? postgresKnex(options.databaseUrl, options.poolMax ?? 10)
    : pgliteKnex(options.dataDir);
  let closed: Promise<void> | undefined;
  return {
    knex,
    models: bindModels(knex),
    dialect: options.databaseUrl ? "postgres" : "pglite",
    ping: () => knex.raw("SELECT 1").then(() => true),
    close: () => (closed ??= knex.destroy()),
  };
}

/** pg's parsers, except `date`, which stays text. */
const typeParser = ((oid: number, format?: "text" | "binary") =>
  oid === DATE_OID
    ? keepDateText
    : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser;

function postgresKnex(connectionString: string, poolMax: number): Knex {
  return knexFactory({
    client: "pg",
    connection: {
      connectionString,
      types: { getTypeParser: typeParser },
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: poolMax },
  });
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
