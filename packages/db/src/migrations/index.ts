import type { Knex } from "knex";
import * as users from "./20261121000001_users.js";
import * as tasks from "./20261121000002_tasks.js";
import * as refreshTokens from "./20261121000003_refresh_tokens.js";
import * as idempotencyKeys from "./20261121000004_idempotency_keys.js";
import * as rateLimits from "./20261122000001_rate_limits.js";
import * as idempotencyResponseText from "./20261122000002_idempotency_response_text.js";
import * as tasksDueDateOrder from "./20261122000010_tasks_due_date_order.js";
import * as tasksTrashOrder from "./20261201000001_tasks_trash_order.js";
import * as idempotencyResult from "./20261210000001_idempotency_result.js";
import * as projects from "./20261212000001_projects.js";
import * as usersTimeZone from "./20261220000001_users_time_zone.js";
import * as tasksRecurrence from "./20261220000002_tasks_recurrence.js";
import * as changes from "./20261221000001_changes.js";

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Listed statically so source (tests) and dist (Node) run the same set. */
const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ["20261121000001_users", users],
  ["20261121000002_tasks", tasks],
  ["20261121000003_refresh_tokens", refreshTokens],
  ["20261121000004_idempotency_keys", idempotencyKeys],
  ["20261122000001_rate_limits", rateLimits],
  ["20261122000002_idempotency_response_text", idempotencyResponseText],
  ["20261122000010_tasks_due_date_order", tasksDueDateOrder],
  ["20261201000001_tasks_trash_order", tasksTrashOrder],
  ["20261210000001_idempotency_result", idempotencyResult],
  ["20261212000001_projects", projects],
  ["20261220000001_users_time_zone", usersTimeZone],
  ["20261220000002_tasks_recurrence", tasksRecurrence],
  ["20261221000001_changes", changes],
];

/** A knex `migrationSource` over {@link MIGRATIONS}. */
export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: ([name]) => name,
  getMigration: ([, migration]) => Promise.resolve(migration),
};
