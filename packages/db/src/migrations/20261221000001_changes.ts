import type { Knex } from "knex";

// Live updates and sync (DESIGN §9): a per-user change sequence and the log of changes it numbers.
// Every insert and every versioned update of a task or a project takes the owner's next
// `users.change_seq` and appends a row to `changes`, in the same transaction, from triggers: the
// database records each change whatever statement made it (a single task, a project deleted or
// restored with its tasks), so no write path can forget to. Each recording transaction also
// notifies `todo_changes` with the owner's id, delivered at commit (identical payloads of one
// transaction are delivered once); readers then read the log from where they are.
//
// `users.change_floor` is the oldest sequence value a sync token may still name: pruning old
// changes raises it, and a token below it answers 410 (the client syncs in full). Account
// deletion removes the log with the account (ON DELETE CASCADE); the account's streams end with
// its sessions.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE users
    ADD COLUMN change_seq bigint NOT NULL DEFAULT 0,
    ADD COLUMN change_floor bigint NOT NULL DEFAULT 0`);
  await knex.raw(`
    CREATE TABLE changes (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      seq bigint NOT NULL,
      kind text NOT NULL,
      resource_id integer NOT NULL,
      event text NOT NULL,
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, seq),
      CONSTRAINT changes_kind_check CHECK (kind IN ('task', 'project')),
      CONSTRAINT changes_event_check CHECK (event IN ('created', 'updated', 'deleted', 'restored'))
    )`);
  // The latest change of each resource after a token (GROUP BY over the primary key's range) and
  // the pruning by age.
  await knex.raw("CREATE INDEX changes_created_at_idx ON changes (created_at)");
  await knex.raw(`
    CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      next_seq bigint;
      change_event text;
    BEGIN
      UPDATE users SET change_seq = change_seq + 1 WHERE id = NEW.user_id RETURNING change_seq INTO next_seq;
      -- The owner is being deleted (a cascade): there is no one left to tell.
      IF next_seq IS NULL THEN
        RETURN NULL;
      END IF;
      IF TG_OP = 'INSERT' THEN
        change_event := 'created';
      ELSIF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
        change_event := 'deleted';
      ELSIF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN
        change_event := 'restored';
      ELSE
        change_event := 'updated';
      END IF;
      INSERT INTO changes (user_id, seq, kind, resource_id, event)
        VALUES (NEW.user_id, next_seq, TG_ARGV[0], NEW.id, change_event);
      PERFORM pg_notify('todo_changes', NEW.user_id::text);
      RETURN NULL;
    END
    $$`);
  for (const [table, kind] of [
    ["tasks", "task"],
    ["projects", "project"],
  ] as const) {
    await knex.raw(`CREATE TRIGGER ${table}_record_insert AFTER INSERT ON ${table}
      FOR EACH ROW EXECUTE FUNCTION record_change('${kind}')`);
    // Every change the API makes bumps the version; what it does not (a creator's account
    // deleted, setting created_by to null) is no change of the resource.
    await knex.raw(`CREATE TRIGGER ${table}_record_update AFTER UPDATE ON ${table}
      FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
      EXECUTE FUNCTION record_change('${kind}')`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ["tasks", "projects"]) {
    await knex.raw(`DROP TRIGGER ${table}_record_update ON ${table}`);
    await knex.raw(`DROP TRIGGER ${table}_record_insert ON ${table}`);
  }
  await knex.raw("DROP FUNCTION record_change()");
  await knex.raw("DROP TABLE changes");
  await knex.raw("ALTER TABLE users DROP COLUMN change_floor, DROP COLUMN change_seq");
}
