import type { Knex } from "knex";

// Each user's IANA time zone: "today", overdue and recurrence are computed in it (DESIGN §8).
// The core validates names against the platform's time-zone data before they are stored.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE users DROP COLUMN time_zone");
}
