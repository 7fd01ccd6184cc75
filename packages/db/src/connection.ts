// The fast path, private to @todo/db: statements compiled once to the driver's `$n` form and sent
// straight to a driver connection, inside or outside a transaction, on PostgreSQL and PGlite alike.
import type { Knex } from "knex";

/**
 * One SQL statement with `$1…$n` placeholders, and the row type the table module that wrote it
 * declares for its result. Only table modules make statements (with {@link sql} or
 * {@link compile}), so a row type is stated once, next to the SQL it describes.
 */
export interface Statement<Row> {
  readonly sql: string;
  readonly bindings: readonly unknown[];
  /** Type only: never set. */
  readonly row?: Row;
}

/** What a statement observer sees: the SQL text as sent and its values. */
export interface ObservedStatement {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

/** Called with every statement before it is sent (tests, the bench, `DEBUG=todo:sql`). */
export type StatementObserver = (statement: ObservedStatement) => void;

/** A fixed statement: SQL text with `$n` placeholders and its values. */
export function sql<Row>(text: string, bindings: readonly unknown[] = []): Statement<Row> {
  return { sql: text, bindings };
}

/** A statement built with knex, compiled to the driver's `$n` form. */
export function compile<Row>(builder: Knex.QueryBuilder | Knex.Raw): Statement<Row> {
  const { sql: text, bindings } = builder.toSQL().toNative();
  return { sql: text, bindings };
}

/** The driver's side of a connection: `pg.Pool`, `pg.Client` and `PGlite` all answer this. */
export interface Queryable {
  query(
    text: string,
    values: unknown[],
  ): Promise<{ rows: unknown[]; rowCount?: number | null; affectedRows?: number }>;
}

/**
 * Where the statements of a table module run: the database's pool, or one transaction's
 * connection. `knex` builds statements (and Objection queries) bound to the same place.
 */
export interface Connection {
  readonly knex: Knex;
  /** Runs `statement` and resolves to its rows (for `… RETURNING`, the returned rows). */
  rows<Row>(statement: Statement<Row>): Promise<Row[]>;
  /** Runs `statement` and resolves to how many rows it inserted, updated or deleted. */
  affected(statement: Statement<unknown>): Promise<number>;
}

/**
 * A {@link Connection} over `driver`. Statements skip knex's query runner (pool bookkeeping,
 * events, placeholder rewriting), which cost as much CPU as `pg` itself (bench/, "Layers").
 */
export function connection(
  knex: Knex,
  driver: Queryable,
  observe: StatementObserver | undefined,
): Connection {
  const run = (statement: Statement<unknown>) => {
    observe?.(statement);
    return driver.query(statement.sql, statement.bindings as unknown[]);
  };
  return {
    knex,
    rows: async <Row>(statement: Statement<Row>) => (await run(statement)).rows as Row[],
    affected: async (statement) => {
      const result = await run(statement);
      // pg counts in `rowCount`, PGlite in `affectedRows`.
      return result.rowCount ?? result.affectedRows ?? 0;
    },
  };
}

/**
 * The driver connection a knex transaction holds. Its statements must go there: on PostgreSQL
 * another pooled connection would run them outside the transaction, and on PGlite, whose one
 * connection the transaction holds, they would wait for it forever.
 */
export async function transactionDriver(trx: Knex.Transaction): Promise<Queryable> {
  // A transaction's client hands out the connection it holds, at once (knex's makeTxClient).
  const client = trx.client as { acquireConnection(): Promise<Queryable> };
  return client.acquireConnection();
}

/**
 * A driver for knex's own pool: each statement borrows a connection and gives it back. Used for
 * PGlite, whose single connection knex's pool lends to one statement or transaction at a time.
 */
export function pooledDriver(knex: Knex): Queryable {
  const client = knex.client as {
    acquireConnection(): Promise<Queryable>;
    releaseConnection(connection: Queryable): Promise<void>;
  };
  return {
    async query(text, values) {
      const borrowed = await client.acquireConnection();
      try {
        return await borrowed.query(text, values);
      } finally {
        await client.releaseConnection(borrowed);
      }
    },
  };
}
