import type { Knex } from "knex";

// What a keyed request produced becomes one opaque text, `result`, that the API writes and reads
// and the database only keeps: the core decides when a key is claimed, replayed or taken over, and
// no longer knows that an HTTP response is what it keeps. Rows stored before this migration were
// responses in three columns; they become the JSON text the API stores for one (`status`,
// `headers`, `body`), so a retry across the upgrade still replays its first answer.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("idempotency_keys", (t) => {
    t.text("result").nullable();
  });
  await knex.raw(`
    UPDATE idempotency_keys
    SET result = json_build_object(
      'status', response_status,
      'headers', coalesce(response_headers, '{}'::jsonb),
      'body', response_body)::text
    WHERE response_status IS NOT NULL`);
  await knex.schema.alterTable("idempotency_keys", (t) => {
    t.dropColumns("response_status", "response_headers", "response_body");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("idempotency_keys", (t) => {
    t.integer("response_status").nullable();
    t.jsonb("response_headers").nullable();
    t.text("response_body").nullable();
  });
  await knex.raw(`
    UPDATE idempotency_keys
    SET response_status = (result::jsonb ->> 'status')::integer,
        response_headers = result::jsonb -> 'headers',
        response_body = result::jsonb ->> 'body'
    WHERE result IS NOT NULL`);
  await knex.schema.alterTable("idempotency_keys", (t) => {
    t.dropColumn("result");
  });
}
