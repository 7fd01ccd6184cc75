import type { Knex } from "knex";

// Recurring tasks (DESIGN §8): the RRULE, the date it started from (its DTSTART, so COUNT and
// INTERVAL keep counting from the same day however often the task is completed), and the due
// date a completion moved away from, which a reopen right after puts back. A rule needs a due
// date: the core answers 422 first, and the CHECK keeps it so whatever writes.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE tasks
    ADD COLUMN recurrence text NULL,
    ADD COLUMN recurrence_start date NULL,
    ADD COLUMN previous_due_date date NULL,
    ADD CONSTRAINT tasks_recurrence_due_date_check CHECK (recurrence IS NULL OR due_date IS NOT NULL)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE tasks
    DROP CONSTRAINT tasks_recurrence_due_date_check,
    DROP COLUMN recurrence,
    DROP COLUMN recurrence_start,
    DROP COLUMN previous_due_date`);
}
