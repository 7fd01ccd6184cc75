import type { Knex } from "knex";

// Lists sorted by due date put tasks without one last (ascending) or first (descending). Ordering
// by `coalesce(due_date, 'infinity')` gives exactly that order as one non-null key, so a keyset
// cursor is a single row comparison the index can start at, also inside the block of null dates.
// It replaces the plain `(user_id, due_date, id)` index, whose NULL handling needed an OR that no
// index condition can serve.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX tasks_user_due_order_idx ON tasks (user_id, (coalesce(due_date, 'infinity'::date)), id) WHERE deleted_at IS NULL`,
  );
  await knex.raw("DROP INDEX IF EXISTS tasks_user_due_date_idx");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    "CREATE INDEX tasks_user_due_date_idx ON tasks (user_id, due_date, id) WHERE deleted_at IS NULL",
  );
  await knex.raw("DROP INDEX IF EXISTS tasks_user_due_order_idx");
}
