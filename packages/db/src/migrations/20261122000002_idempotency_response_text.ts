import type { Knex } from "knex";

// A replayed response must be byte-for-byte the first one; jsonb reorders object keys, so the
// stored body becomes the exact JSON text that was sent. Rows live 24 h, so none are converted.
export async function up(knex: Knex): Promise<void> {
  await knex("idempotency_keys").delete();
  await knex.schema.alterTable("idempotency_keys", (t) => {
    t.text("response_body").nullable().alter();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex("idempotency_keys").delete();
  await knex.schema.alterTable("idempotency_keys", (t) => {
    t.jsonb("response_body").nullable().alter();
  });
}
