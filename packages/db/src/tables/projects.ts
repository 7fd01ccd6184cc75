// The `projects` table: named lists of one user's tasks (DESIGN §7). As with tasks, a project's
// key is `(user_id, id)` and every statement names the owner. Projects are listed by name, case
// folded, through the index that also keeps live names unique per owner.
import { sql, type Connection, type Statement } from "../connection.js";

/** A `projects` row as the driver returns it (snake_case, timestamps as `Date`). */
export interface ProjectRow {
  readonly user_id: string;
  /** The owner's own sequential number (1, 2, 3 … per user, never reused). */
  readonly id: number;
  /** Immutable, never reused: how a project is addressed across users. */
  readonly uid: string;
  /** The user who created it; null once that account is deleted. */
  readonly created_by: string | null;
  /** Trimmed, 1–100 characters; unique per owner among live projects, whatever the case. */
  readonly name: string;
  readonly archived_at: Date | null;
  /** Bumped on every change (the ETag). */
  readonly version: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  /** Set while the project is deleted (soft). */
  readonly deleted_at: Date | null;
}

/**
 * The order of a project list: by `lower(name)`, which the unique index
 * `projects_user_name_key (user_id, lower(name)) WHERE deleted_at IS NULL` returns rows in. Live
 * names are unique under it, so the key alone is a keyset position (no id to break ties).
 */
export const PROJECT_ORDER = { key: "lower(name)", index: "projects_user_name_key" } as const;

/** A row of a project list, with its key in the list order (the case-folded name, as PostgreSQL folds it). */
export interface ListedProjectRow extends ProjectRow {
  readonly sort_key: string;
}

/** Which of an owner's live projects a list covers: `archived` true or false, or undefined for both. */
export interface ProjectFilter {
  readonly archived?: boolean | undefined;
}

/** One page of a project list: its size and, for a keyset page, the `lower(name)` it follows. */
export interface ProjectPage {
  readonly limit: number;
  /** The `sort_key` of the last row of the previous page. */
  readonly after?: string | undefined;
}

/** Values to change; absent fields stay as they are. Every change bumps `version`. */
export interface ProjectChanges {
  readonly name?: string | undefined;
  /** `true` sets `archived_at` to now, `false` clears it. */
  readonly archived?: boolean | undefined;
  /** `true` deletes (soft: `deleted_at` = now), `false` restores. */
  readonly removed?: boolean | undefined;
}

/** How {@link ProjectsTable.find} reads: live only (default) or deleted too, and whether it locks. */
export interface ProjectLookup {
  readonly includeRemoved?: boolean | undefined;
  /**
   * `share`: the row cannot be changed or deleted until the transaction ends (a task is being put
   * into it); `update`: the transaction is about to change it. Only inside a transaction.
   */
  readonly lock?: "share" | "update" | undefined;
}

/** The statements of the table, as text and values. */
export const projectStatements = {
  /**
   * Inserts a project numbered with the owner's next number from `users.project_seq`, in the same
   * statement, so concurrent creates never collide and numbers are never reused. No row when the
   * owner does not exist. The owner is its creator.
   */
  create(ownerId: string, name: string): Statement<ProjectRow> {
    return sql(
      `WITH seq AS (UPDATE users SET project_seq = project_seq + 1 WHERE id = $1::uuid RETURNING project_seq)
       INSERT INTO projects (user_id, id, name, created_by)
       SELECT $1::uuid, seq.project_seq, $2::text, $1::uuid FROM seq
       RETURNING *`,
      [ownerId, name],
    );
  },

  /** The owner's live project called `name`, whatever the case (as the unique name index folds it). */
  named(ownerId: string, name: string): Statement<ProjectRow> {
    return sql(
      `SELECT * FROM projects WHERE user_id = $1 AND ${PROJECT_ORDER.key} = lower($2) AND deleted_at IS NULL`,
      [ownerId, name],
    );
  },

  /** The owner's project `id`, per `lookup`. */
  find(ownerId: string, id: number, lookup: ProjectLookup = {}): Statement<ProjectRow> {
    const live = lookup.includeRemoved ? "" : " AND deleted_at IS NULL";
    const lock = lookup.lock ? ` FOR ${lookup.lock.toUpperCase()}` : "";
    return sql(`SELECT * FROM projects WHERE user_id = $1 AND id = $2${live}${lock}`, [
      ownerId,
      id,
    ]);
  },

  /** The owner's projects with these numbers, deleted ones included. */
  many(ownerId: string, ids: readonly number[]): Statement<ProjectRow> {
    return sql("SELECT * FROM projects WHERE user_id = $1 AND id = ANY ($2::integer[])", [
      ownerId,
      [...ids],
    ]);
  },

  /** Every live project of the owner (archived ones too), by number (a full sync). */
  live(ownerId: string): Statement<ProjectRow> {
    return sql("SELECT * FROM projects WHERE user_id = $1 AND deleted_at IS NULL ORDER BY id", [
      ownerId,
    ]);
  },

  /** A page of the owner's live projects, by name (case folded), served by the name index. */
  list(ownerId: string, filter: ProjectFilter, page: ProjectPage): Statement<ListedProjectRow> {
    const values: unknown[] = [ownerId, page.limit];
    const archived =
      filter.archived === undefined
        ? ""
        : ` AND archived_at IS ${filter.archived ? "NOT NULL" : "NULL"}`;
    const after =
      page.after === undefined ? "" : ` AND ${PROJECT_ORDER.key} > $${values.push(page.after)}`;
    return sql(
      `SELECT *, ${PROJECT_ORDER.key} AS sort_key FROM projects WHERE user_id = $1 AND deleted_at IS NULL${archived}${after}
       ORDER BY ${PROJECT_ORDER.key} LIMIT $2`,
      values,
    );
  },

  /** Applies `changes` to the owner's project `id` (live or deleted), bumping its version. */
  update(ownerId: string, id: number, changes: ProjectChanges): Statement<ProjectRow> {
    const values: unknown[] = [ownerId, id];
    const param = (value: unknown, type: string) => `$${values.push(value)}::${type}`;
    const sets: string[] = [];
    if (changes.name !== undefined) sets.push(`name = ${param(changes.name, "text")}`);
    if (changes.archived !== undefined)
      sets.push(`archived_at = CASE WHEN ${param(changes.archived, "boolean")} THEN now() END`);
    if (changes.removed !== undefined)
      sets.push(`deleted_at = CASE WHEN ${param(changes.removed, "boolean")} THEN now() END`);
    if (sets.length === 0) throw new Error("a project change needs at least one value");
    return sql(
      `UPDATE projects SET ${sets.join(", ")}, version = version + 1, updated_at = now()
       WHERE user_id = $1 AND id = $2 RETURNING *`,
      values,
    );
  },
};

/** The one way to reach the `projects` table. Every method is scoped to the owner it names. */
export interface ProjectsTable {
  /**
   * See {@link projectStatements.create}; `undefined` when the owner does not exist.
   * @throws the driver's unique violation (23505) when a live project of the owner has the name.
   */
  create(ownerId: string, name: string): Promise<ProjectRow | undefined>;
  /** The owner's project `id` (live unless `lookup.includeRemoved`), or `undefined`. */
  find(ownerId: string, id: number, lookup?: ProjectLookup): Promise<ProjectRow | undefined>;
  /** The owner's live project called `name` (any case), or `undefined`. */
  named(ownerId: string, name: string): Promise<ProjectRow | undefined>;
  /** The owner's projects with these numbers, deleted ones included (missing ones left out). */
  many(ownerId: string, ids: readonly number[]): Promise<ProjectRow[]>;
  /** Every live project of the owner, archived ones included, by number. */
  live(ownerId: string): Promise<ProjectRow[]>;
  /** One page of the owner's live projects that `filter` covers, by name. */
  list(ownerId: string, filter: ProjectFilter, page: ProjectPage): Promise<ListedProjectRow[]>;
  /**
   * Changes the owner's project `id`; `undefined` when there is none. Callers lock the row first
   * ({@link ProjectLookup.lock}) and decide on it: the statement changes what it is given.
   * @throws the driver's unique violation (23505) when the name (or a restored project's name) is
   *   taken by another live project of the owner.
   */
  update(ownerId: string, id: number, changes: ProjectChanges): Promise<ProjectRow | undefined>;
}

/** The `projects` table over `connection`. */
export function projectsTable(connection: Connection): ProjectsTable {
  const first = async <Row>(statement: Statement<Row>) => (await connection.rows(statement))[0];
  return {
    create: (ownerId, name) => first(projectStatements.create(ownerId, name)),
    find: (ownerId, id, lookup) => first(projectStatements.find(ownerId, id, lookup)),
    named: (ownerId, name) => first(projectStatements.named(ownerId, name)),
    many: async (ownerId, ids) =>
      ids.length === 0 ? [] : connection.rows(projectStatements.many(ownerId, ids)),
    live: (ownerId) => connection.rows(projectStatements.live(ownerId)),
    list: (ownerId, filter, page) => connection.rows(projectStatements.list(ownerId, filter, page)),
    update: (ownerId, id, changes) => first(projectStatements.update(ownerId, id, changes)),
  };
}
