import type { Knex } from "knex";

/** The live-task orders (tasks module, TASK_ORDERS) that also get a per-project index. */
const PROJECT_ORDERS = {
  created_at: "created_at",
  updated_at: "updated_at",
  priority: "priority",
  title: "title",
  due_order: "(coalesce(due_date, 'infinity'::date))",
} as const;

// Projects: named lists of one user's tasks (DESIGN §7). Keyed `(user_id, id)` like tasks, with
// per-user numbers from `users.project_seq`; a task names its project by `(user_id, project_id)`,
// so the database itself refuses a task in another user's project. Every project and task also
// gets an immutable `uid` and `created_by`, for the day projects are shared across users.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE users ADD COLUMN project_seq bigint NOT NULL DEFAULT 0");
  await knex.raw(`
    CREATE TABLE projects (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      id integer NOT NULL,
      uid uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
      created_by uuid NULL REFERENCES users (id) ON DELETE SET NULL,
      name varchar(100) NOT NULL,
      archived_at timestamptz(3) NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz(3) NOT NULL DEFAULT now(),
      deleted_at timestamptz(3) NULL,
      PRIMARY KEY (user_id, id),
      CONSTRAINT projects_name_not_blank CHECK (length(btrim(name)) > 0)
    )`);
  // One live project per name and owner, whatever the case; also the order of a project list.
  await knex.raw(
    "CREATE UNIQUE INDEX projects_user_name_key ON projects (user_id, lower(name)) WHERE deleted_at IS NULL",
  );
  // A volatile default fills every existing task with its own uid.
  await knex.raw(`
    ALTER TABLE tasks
      ADD COLUMN project_id integer NULL,
      ADD COLUMN uid uuid NOT NULL DEFAULT gen_random_uuid(),
      ADD COLUMN created_by uuid NULL REFERENCES users (id) ON DELETE SET NULL,
      ADD COLUMN deleted_with_project boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT tasks_uid_key UNIQUE (uid),
      ADD CONSTRAINT tasks_project_fkey FOREIGN KEY (user_id, project_id) REFERENCES projects (user_id, id),
      ADD CONSTRAINT tasks_deleted_with_project CHECK (NOT deleted_with_project OR deleted_at IS NOT NULL)`);
  await knex.raw("UPDATE tasks SET created_by = user_id");
  // Lists of one project's tasks (or of the tasks in none), in every order, without a Sort node.
  for (const [name, key] of Object.entries(PROJECT_ORDERS)) {
    await knex.raw(
      `CREATE INDEX tasks_user_project_${name}_idx ON tasks (user_id, project_id, ${key}, id) WHERE deleted_at IS NULL`,
    );
  }
  await knex.raw(
    "CREATE INDEX tasks_user_project_deleted_at_idx ON tasks (user_id, project_id, deleted_at, id) WHERE deleted_at IS NOT NULL",
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const name of [...Object.keys(PROJECT_ORDERS), "deleted_at"]) {
    await knex.raw(`DROP INDEX IF EXISTS tasks_user_project_${name}_idx`);
  }
  await knex.raw(`
    ALTER TABLE tasks
      DROP COLUMN deleted_with_project,
      DROP COLUMN created_by,
      DROP COLUMN uid,
      DROP COLUMN project_id`);
  await knex.raw("DROP TABLE projects");
  await knex.raw("ALTER TABLE users DROP COLUMN project_seq");
}
