import type { Knex } from "knex";

/** Columns a list can sort by; each gets an index so no list shape needs a sort node. */
// Timestamps keep milliseconds (precision 3) so a cursor built from a JS Date matches the row exactly.
const SORT_COLUMNS = ["created_at", "updated_at", "due_date", "priority", "title"] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("tasks", (t) => {
    t.uuid("user_id").notNullable().references("id").inTable("users").onDelete("CASCADE");
    t.integer("id").notNullable();
    t.string("title", 200).notNullable();
    t.text("description").nullable();
    t.boolean("completed").notNullable().defaultTo(false);
    t.timestamp("completed_at", { useTz: true, precision: 3 }).nullable();
    t.date("due_date").nullable();
    t.smallint("priority").notNullable().defaultTo(0);
    t.specificType("tags", "text[]").notNullable().defaultTo("{}");
    t.integer("version").notNullable().defaultTo(1);
    t.timestamp("created_at", { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("deleted_at", { useTz: true, precision: 3 }).nullable();
    t.primary(["user_id", "id"]);
  });
  // The database holds the limits too, so no code path can store what the API would refuse.
  await knex.raw(`
    ALTER TABLE tasks
      ADD CONSTRAINT tasks_title_not_blank CHECK (length(btrim(title)) > 0),
      ADD CONSTRAINT tasks_description_length CHECK (description IS NULL OR length(description) <= 5000),
      ADD CONSTRAINT tasks_priority_range CHECK (priority BETWEEN 0 AND 3),
      ADD CONSTRAINT tasks_tags_count CHECK (coalesce(array_length(tags, 1), 0) <= 20),
      ADD CONSTRAINT tasks_completed_at CHECK (completed = (completed_at IS NOT NULL))
  `);
  for (const column of SORT_COLUMNS) {
    await knex.raw(
      `CREATE INDEX tasks_user_${column}_idx ON tasks (user_id, ${column}, id) WHERE deleted_at IS NULL`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("tasks");
}
