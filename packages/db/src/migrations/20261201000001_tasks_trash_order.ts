import type { Knex } from "knex";

// The trash (`GET /tasks?deleted=true`) lists removed tasks by removal time; this index serves it
// without a sort node, as the live-task indexes serve every other list shape.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "CREATE INDEX tasks_user_deleted_at_idx ON tasks (user_id, deleted_at, id) WHERE deleted_at IS NOT NULL",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP INDEX IF EXISTS tasks_user_deleted_at_idx");
}
