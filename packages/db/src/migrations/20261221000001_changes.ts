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
  // Statement-level triggers over transition tables: a statement that changes many rows of one
  // owner (a project deleted with its tasks) takes the owner's values in one UPDATE, numbered in
  // task or project order, rather than one UPDATE of the owner's row per row changed.
  await knex.raw(`
    CREATE FUNCTION append_changes(change_kind text, owners uuid[], ids integer[], events text[])
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      WITH changed AS (
        SELECT c.owner, c.id, c.event, row_number() OVER (PARTITION BY c.owner ORDER BY c.ord) AS k
        FROM unnest(owners, ids, events) WITH ORDINALITY AS c (owner, id, event, ord)
      ), counts AS (
        SELECT changed.owner, count(*) AS n FROM changed GROUP BY changed.owner
      ), bumped AS (
        -- An owner being deleted (a cascade) has no row left: nothing is recorded for it.
        UPDATE users SET change_seq = users.change_seq + counts.n FROM counts
        WHERE users.id = counts.owner
        RETURNING users.id AS owner, users.change_seq - counts.n AS base
      )
      INSERT INTO changes (user_id, seq, kind, resource_id, event)
      SELECT changed.owner, bumped.base + changed.k, change_kind, changed.id, changed.event
      FROM changed JOIN bumped ON bumped.owner = changed.owner;
      PERFORM pg_notify('todo_changes', o.owner::text) FROM (SELECT DISTINCT unnest(owners) AS owner) o;
    END
    $$`);
  await knex.raw(`
    CREATE FUNCTION record_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM append_changes(TG_ARGV[0], array_agg(n.user_id ORDER BY n.user_id, n.id),
        array_agg(n.id ORDER BY n.user_id, n.id), array_agg('created'::text ORDER BY n.user_id, n.id))
      FROM new_rows n HAVING count(*) > 0;
      RETURN NULL;
    END
    $$`);
  await knex.raw(`
    CREATE FUNCTION record_updates() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM append_changes(TG_ARGV[0], array_agg(c.user_id ORDER BY c.user_id, c.id),
        array_agg(c.id ORDER BY c.user_id, c.id), array_agg(c.event ORDER BY c.user_id, c.id))
      FROM (
        SELECT n.user_id, n.id,
               CASE
                 WHEN o.deleted_at IS NULL AND n.deleted_at IS NOT NULL THEN 'deleted'
                 WHEN o.deleted_at IS NOT NULL AND n.deleted_at IS NULL THEN 'restored'
                 ELSE 'updated'
               END AS event
        FROM new_rows n JOIN old_rows o ON o.user_id = n.user_id AND o.id = n.id
        -- Every change the API makes bumps the version; what it does not (a creator's account
        -- deleted, setting created_by to null) is no change of the resource.
        WHERE o.version IS DISTINCT FROM n.version
      ) c
      HAVING count(*) > 0;
      RETURN NULL;
    END
    $$`);
  for (const [table, kind] of [
    ["tasks", "task"],
    ["projects", "project"],
  ] as const) {
    await knex.raw(`CREATE TRIGGER ${table}_record_inserts AFTER INSERT ON ${table}
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_inserts('${kind}')`);
    await knex.raw(`CREATE TRIGGER ${table}_record_updates AFTER UPDATE ON ${table}
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_updates('${kind}')`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ["tasks", "projects"]) {
    await knex.raw(`DROP TRIGGER ${table}_record_updates ON ${table}`);
    await knex.raw(`DROP TRIGGER ${table}_record_inserts ON ${table}`);
  }
  await knex.raw("DROP FUNCTION record_updates()");
  await knex.raw("DROP FUNCTION record_inserts()");
  await knex.raw("DROP FUNCTION append_changes(text, uuid[], integer[], text[])");
  await knex.raw("DROP TABLE changes");
  await knex.raw("ALTER TABLE users DROP COLUMN change_floor, DROP COLUMN change_seq");
}
