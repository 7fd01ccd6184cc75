import type { Knex } from "knex";

// The shared store of rate-limiter-flexible's RateLimiterPostgres (RATE_LIMIT_STORE=postgres), in
// the exact shape that library expects: `key` (prefixed per limiter), consumed `points`, and
// `expire` as epoch milliseconds. Created here rather than by the library at run time.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("rate_limits", (t) => {
    t.string("key", 255).primary();
    t.integer("points").notNullable().defaultTo(0);
    t.bigInteger("expire").nullable();
    t.index(["expire"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("rate_limits");
}
