import knexFactory from "knex";

/**
 * A knex with no connection, for building SQL only (PostgreSQL dialect, which PGlite speaks too):
 * table modules build a statement here, compile it to `$n` form and send it on a connection.
 */
export const builder = knexFactory({ client: "pg" });
