// The `tasks` table: its row, its statements, and the orders its indexes serve. Every read and
// write of a task goes through here, and every statement names the owner: a task's key is
// `(user_id, id)`, so no statement can reach a task without naming whose it is.
import { builder } from "../builder.js";
import { compile, sql, type Connection, type Statement } from "../connection.js";

/**
 * A `tasks` row as the driver returns it: snake_case columns, timestamps as `Date`, `due_date` as
 * `YYYY-MM-DD` text (never a `Date`, which would shift it by the host's time zone).
 */
export interface TaskRow {
  readonly user_id: string;
  /** The owner's own sequential number (1, 2, 3 … per user, never reused). */
  readonly id: number;
  readonly title: string;
  readonly description: string | null;
  readonly completed: boolean;
  readonly completed_at: Date | null;
  readonly due_date: string | null;
  /** 0 none, 1 low, 2 medium, 3 high. */
  readonly priority: number;
  readonly tags: string[];
  /** Bumped on every change (the ETag). */
  readonly version: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  /** Set while the task is in the trash (soft-deleted). */
  readonly deleted_at: Date | null;
  /** The owner's project it is in (`projects (user_id, id)`), or null (the "Inbox"). */
  readonly project_id: number | null;
  /** Immutable, never reused: how a task is addressed across users. */
  readonly uid: string;
  /** The user who created it; null once that account is deleted (or for rows made before). */
  readonly created_by: string | null;
  /** True while it is in the trash because its project was deleted (restoring the project brings it back). */
  readonly deleted_with_project: boolean;
  /** An RFC 5545 RRULE without DTSTART (`FREQ=WEEKLY;BYDAY=MO`); set only with a due date. */
  readonly recurrence: string | null;
  /** The rule's DTSTART: the due date it was set with, so COUNT and INTERVAL count from one day. */
  readonly recurrence_start: string | null;
  /** The due date the last completion of a recurring task moved away from (a reopen puts it back). */
  readonly previous_due_date: string | null;
}

/** How one list order is served: its sort key, the column a keyset cursor records, its index. */
export interface TaskOrderDefinition {
  /** The SQL sort key; rows are ordered by `(key, id)`. Never null, so a keyset is one row comparison. */
  readonly key: string;
  /** The row column whose value stands for the key in a keyset position. */
  readonly column: keyof TaskRow;
  /** The index `(user_id, key, id)` that returns rows in this order, so no list needs a Sort node. */
  readonly index: string;
  /** The index `(user_id, project_id, key, id)` that serves the order for one project (or none). */
  readonly projectIndex: string;
  /** Whether the order lists the trash (index `WHERE deleted_at IS NOT NULL`) or live tasks. */
  readonly removed: boolean;
}

/**
 * Every order a list can take, each next to the index that serves it. The test beside this file
 * checks each index's definition against its key and, on PostgreSQL, EXPLAINs each order and
 * fails on a Sort node or another index. The indexes were made by the migrations named here (the
 * per-project ones by 20261212000001_projects); a new order needs its indexes in a new migration.
 *
 * Tasks without a due date sort as if due at `infinity`: last ascending, first descending, under
 * a key that is never null.
 */
export const TASK_ORDERS = {
  // 20261121000002_tasks
  createdAt: {
    key: "created_at",
    column: "created_at",
    index: "tasks_user_created_at_idx",
    projectIndex: "tasks_user_project_created_at_idx",
    removed: false,
  },
  updatedAt: {
    key: "updated_at",
    column: "updated_at",
    index: "tasks_user_updated_at_idx",
    projectIndex: "tasks_user_project_updated_at_idx",
    removed: false,
  },
  priority: {
    key: "priority",
    column: "priority",
    index: "tasks_user_priority_idx",
    projectIndex: "tasks_user_project_priority_idx",
    removed: false,
  },
  title: {
    key: "title",
    column: "title",
    index: "tasks_user_title_idx",
    projectIndex: "tasks_user_project_title_idx",
    removed: false,
  },
  // 20261122000010_tasks_due_date_order
  dueDate: {
    key: "coalesce(due_date, 'infinity'::date)",
    column: "due_date",
    index: "tasks_user_due_order_idx",
    projectIndex: "tasks_user_project_due_order_idx",
    removed: false,
  },
  // 20261201000001_tasks_trash_order
  deletedAt: {
    key: "deleted_at",
    column: "deleted_at",
    index: "tasks_user_deleted_at_idx",
    projectIndex: "tasks_user_project_deleted_at_idx",
    removed: true,
  },
} as const satisfies Record<string, TaskOrderDefinition>;

/** The name of a list order (the contract's sort field). */
export type TaskOrder = keyof typeof TASK_ORDERS;

/** Which of an owner's tasks a list or a count covers. Every field narrows; none: all live tasks. */
export interface TaskFilter {
  /** The trash (removed tasks) instead of the live ones. */
  readonly removed?: boolean | undefined;
  readonly completed?: boolean | undefined;
  /** A case-insensitive substring of the title or the description, taken literally. */
  readonly text?: string | undefined;
  /** Tasks carrying every one of these tags. */
  readonly tags?: readonly string[] | undefined;
  /** 0–3. */
  readonly priority?: number | undefined;
  /** Due on or before this `YYYY-MM-DD` date (inclusive). */
  readonly dueOnOrBefore?: string | undefined;
  /** Due on or after this `YYYY-MM-DD` date (inclusive). */
  readonly dueOnOrAfter?: string | undefined;
  /** `true`: pending and due before {@link TaskFilter.today}; `false`: all the others. */
  readonly overdue?: boolean | undefined;
  /**
   * One project's tasks (its number), or with `null` the tasks in no project. Undefined: every
   * project's, except that a list of live tasks leaves out the tasks of archived projects.
   */
  readonly project?: number | null | undefined;
  /** The owner's today (`YYYY-MM-DD` in their time zone), which `overdue` is relative to. */
  readonly today?: string | undefined;
}

/** One page of a list: its order, its size, and where it starts (a keyset position or an offset). */
export interface TaskPage {
  readonly order: TaskOrder;
  readonly descending: boolean;
  /** Rows to return. */
  readonly limit: number;
  /** Keyset paging: the rows after the one whose `column` value and id these are. */
  readonly after?: { readonly value: string | number | null; readonly id: number } | undefined;
  /** Offset paging: rows to skip. */
  readonly offset?: number | undefined;
}

/** A new task's values; the id is the owner's next number, taken by {@link TasksTable.create}. */
export interface NewTask {
  readonly title: string;
  readonly description: string | null;
  readonly dueDate: string | null;
  readonly priority: number;
  readonly tags: readonly string[];
  readonly completed: boolean;
  /** The owner's project to put it in, or null. The caller checks that it is live. */
  readonly projectId: number | null;
  /** A normalised RRULE, with `recurrenceStart` (its DTSTART, a due date). */
  readonly recurrence?: string | null | undefined;
  readonly recurrenceStart?: string | null | undefined;
}

/** Values to change; absent fields stay as they are. */
export interface TaskChanges {
  readonly title?: string | undefined;
  readonly description?: string | null | undefined;
  readonly dueDate?: string | null | undefined;
  readonly priority?: number | undefined;
  readonly tags?: readonly string[] | undefined;
  /** Sets `completed_at` to now when it becomes true (keeping an earlier one), clears it when false. */
  readonly completed?: boolean | undefined;
  /** `true` moves the task to the trash (`deleted_at` = now), `false` restores it. */
  readonly removed?: boolean | undefined;
  /** Moves it to the owner's project with this number, or with null out of any. */
  readonly projectId?: number | null | undefined;
  readonly recurrence?: string | null | undefined;
  readonly recurrenceStart?: string | null | undefined;
  readonly previousDueDate?: string | null | undefined;
}

/** What {@link TasksTable.change} may touch. */
export interface ChangeCondition {
  /** Change only if the task's version is this one (an `If-Match`, RFC 9110 §13.1.1). */
  readonly ifVersion?: number | undefined;
  /** Find the task in the trash too (restore); by default only live tasks are found. */
  readonly includeRemoved?: boolean | undefined;
  /**
   * Change only a one-off task: not recurring, with no completion to undo. What completing a
   * recurring task writes depends on its rule, which the core reads first.
   */
  readonly oneOff?: boolean | undefined;
}

/** The task after {@link TasksTable.change}, and whether the change was applied. */
export interface TaskChangeOutcome {
  readonly row: TaskRow;
  /**
   * True when the row was changed (its version bumped). False when `ifVersion` did not match, or
   * when every value was already as asked: then `row` is the task as it is, untouched.
   */
  readonly changed: boolean;
}

/** The statements of the table, as text and values, for callers that send them themselves (bench/). */
export const taskStatements = {
  /**
   * Inserts a task numbered with the owner's next number, taken from `users.task_seq` (the tasks'
   * counter) in the same statement, so concurrent creates never collide and numbers are never
   * reused. No row when the owner does not exist. The owner is its creator.
   */
  create(ownerId: string, task: NewTask): Statement<TaskRow> {
    return sql(
      `WITH seq AS (UPDATE users SET task_seq = task_seq + 1 WHERE id = $1::uuid RETURNING task_seq)
       INSERT INTO tasks (user_id, id, title, description, completed, completed_at, due_date, priority, tags,
                          project_id, created_by, recurrence, recurrence_start)
       SELECT $1::uuid, seq.task_seq, $2::text, $3::text, $4::boolean,
              CASE WHEN $4::boolean THEN now() END, $5::date, $6::smallint, $7::text[],
              $8::integer, $1::uuid, $9::text, $10::date
       FROM seq
       RETURNING *`,
      [
        ownerId,
        task.title,
        task.description,
        task.completed,
        task.dueDate,
        task.priority,
        task.tags,
        task.projectId,
        task.recurrence ?? null,
        task.recurrenceStart ?? null,
      ],
    );
  },

  /** The owner's live task `id`. */
  find(ownerId: string, id: number): Statement<TaskRow> {
    return sql("SELECT * FROM tasks WHERE user_id = $1 AND id = $2 AND deleted_at IS NULL", [
      ownerId,
      id,
    ]);
  },

  /** A page of the owner's tasks: ordered by `(key, id)` and served by the order's index. */
  list(ownerId: string, filter: TaskFilter, page: TaskPage): Statement<TaskRow> {
    const { key } = TASK_ORDERS[page.order];
    const direction = page.descending ? "DESC" : "ASC";
    const query = filtered(ownerId, filter)
      .orderByRaw(`${key} ${direction}, id ${direction}`)
      .limit(page.limit);
    if (page.after) {
      // Only a due date can be null, and its key reads a null as `infinity`.
      void query.whereRaw(`(${key}, id) ${page.descending ? "<" : ">"} (?, ?)`, [
        page.after.value ?? "infinity",
        page.after.id,
      ]);
    }
    if (page.offset) void query.offset(page.offset);
    return compile(query);
  },

  /** How many of the owner's tasks `filter` covers. */
  count(ownerId: string, filter: TaskFilter): Statement<{ count: number }> {
    return compile(filtered(ownerId, filter).select(builder.raw("count(*)::int AS count")));
  },

  /**
   * Changes the owner's task `id` in one UPDATE, if `condition.ifVersion` matches and some value
   * differs; no row otherwise (then {@link taskStatements.decide} tells why). The common case of a
   * write: one statement, as cheap as an UPDATE gets.
   */
  update(
    ownerId: string,
    id: number,
    changes: TaskChanges,
    condition: ChangeCondition = {},
  ): Statement<TaskRow> {
    const { values, sets, differs, version } = assignments(
      ownerId,
      id,
      changes,
      condition,
      "tasks",
    );
    const live = condition.includeRemoved ? "" : " AND deleted_at IS NULL";
    return sql(
      `UPDATE tasks SET ${sets}, version = version + 1, updated_at = now()
       WHERE user_id = $1 AND id = $2${live}${version} AND (${differs})
       RETURNING *`,
      values,
    );
  },

  /**
   * The same change as {@link taskStatements.update}, decided on one state of the row: it reads
   * the task under a row lock and updates it only if `ifVersion` matches and some value differs,
   * so that what is answered (missing, stale, unchanged or changed) rests on that one state,
   * which no concurrent write can slip between. No row when there is no such task; else the task,
   * with a `changed` column. Sent only when the plain UPDATE matched nothing: the row lock and
   * the larger plan cost the database more than the UPDATE does.
   */
  decide(
    ownerId: string,
    id: number,
    changes: TaskChanges,
    condition: ChangeCondition = {},
  ): Statement<TaskRow & { changed: boolean }> {
    const { values, sets, differs, version } = assignments(
      ownerId,
      id,
      changes,
      condition,
      "target",
    );
    const live = condition.includeRemoved ? "" : " AND deleted_at IS NULL";
    return sql(
      `WITH target AS (
         SELECT * FROM tasks WHERE user_id = $1 AND id = $2${live} FOR UPDATE
       ), updated AS (
         UPDATE tasks SET ${sets}, version = tasks.version + 1, updated_at = now()
         FROM target
         WHERE tasks.user_id = target.user_id AND tasks.id = target.id${version} AND (${differs})
         RETURNING tasks.*
       )
       SELECT true AS changed, * FROM updated
       UNION ALL
       SELECT false AS changed, * FROM target WHERE NOT EXISTS (SELECT FROM updated)`,
      values,
    );
  },

  /** The owner's tasks with these numbers, removed ones included. */
  many(ownerId: string, ids: readonly number[]): Statement<TaskRow> {
    return sql("SELECT * FROM tasks WHERE user_id = $1 AND id = ANY ($2::integer[])", [
      ownerId,
      [...ids],
    ]);
  },

  /** The owner's live tasks numbered above `after`, by number, at most `limit` (a full sync). */
  liveAfter(ownerId: string, after: number, limit: number): Statement<TaskRow> {
    return sql(
      "SELECT * FROM tasks WHERE user_id = $1 AND id > $2 AND deleted_at IS NULL ORDER BY id LIMIT $3",
      [ownerId, after, limit],
    );
  },

  /** Every task of the owner, removed ones included, by id: what an account holds. */
  ofOwner(ownerId: string): Statement<TaskRow> {
    return sql("SELECT * FROM tasks WHERE user_id = $1 ORDER BY id", [ownerId]);
  },

  /**
   * Moves the live tasks of the owner's project to the trash, marked as removed with it
   * (`deleted_with_project`), so that {@link taskStatements.restoreWithProject} brings back
   * exactly these. One statement; run it in the transaction that deletes the project.
   */
  removeWithProject(ownerId: string, projectId: number): Statement<never> {
    return sql(
      `UPDATE tasks SET deleted_at = now(), deleted_with_project = true, version = version + 1, updated_at = now()
       WHERE user_id = $1 AND project_id = $2 AND deleted_at IS NULL`,
      [ownerId, projectId],
    );
  },

  /** Restores the tasks of the owner's project that were removed with it, and only those. */
  restoreWithProject(ownerId: string, projectId: number): Statement<never> {
    return sql(
      `UPDATE tasks SET deleted_at = NULL, deleted_with_project = false, version = version + 1, updated_at = now()
       WHERE user_id = $1 AND project_id = $2 AND deleted_at IS NOT NULL AND deleted_with_project`,
      [ownerId, projectId],
    );
  },

  /** The number of live, pending tasks in each of the owner's projects named (absent: none). */
  openCounts(
    ownerId: string,
    projectIds: readonly number[],
  ): Statement<{ project_id: number; count: number }> {
    return sql(
      `SELECT project_id, count(*)::int AS count FROM tasks
       WHERE user_id = $1 AND project_id = ANY ($2::integer[]) AND deleted_at IS NULL AND NOT completed
       GROUP BY project_id`,
      [ownerId, [...projectIds]],
    );
  },
};

/** The one way to reach the `tasks` table. Every method is scoped to the owner it names. */
export interface TasksTable {
  /** See {@link taskStatements.create}; `undefined` when the owner does not exist. */
  create(ownerId: string, task: NewTask): Promise<TaskRow | undefined>;
  /** The owner's live task `id`, or `undefined`. */
  find(ownerId: string, id: number): Promise<TaskRow | undefined>;
  /** One page of the owner's tasks that `filter` covers, in `page.order`. */
  list(ownerId: string, filter: TaskFilter, page: TaskPage): Promise<TaskRow[]>;
  /** How many of the owner's tasks `filter` covers. */
  count(ownerId: string, filter: TaskFilter): Promise<number>;
  /**
   * Changes the owner's task `id` if `condition.ifVersion` matches and some value differs. The
   * outcome rests on one state of the row: either the plain UPDATE applied the change, or (it
   * matched nothing) one locking statement decides ({@link taskStatements.decide}). `undefined`
   * when the owner has no such task (live, or also removed with `includeRemoved`).
   * @throws {Error} when `changes` is empty (nothing to compare).
   */
  change(
    ownerId: string,
    id: number,
    changes: TaskChanges,
    condition?: ChangeCondition,
  ): Promise<TaskChangeOutcome | undefined>;
  /** The owner's tasks with these numbers, removed ones included (missing ones left out). */
  many(ownerId: string, ids: readonly number[]): Promise<TaskRow[]>;
  /** See {@link taskStatements.liveAfter}. */
  liveAfter(ownerId: string, after: number, limit: number): Promise<TaskRow[]>;
  /** Every task of the owner, removed ones included, by id. */
  ofOwner(ownerId: string): Promise<TaskRow[]>;
  /** See {@link taskStatements.removeWithProject}; resolves to the number of tasks removed. */
  removeWithProject(ownerId: string, projectId: number): Promise<number>;
  /** See {@link taskStatements.restoreWithProject}; resolves to the number of tasks restored. */
  restoreWithProject(ownerId: string, projectId: number): Promise<number>;
  /** Live pending tasks per project: a map from each project named to its count (0 included). */
  openCounts(ownerId: string, projectIds: readonly number[]): Promise<Map<number, number>>;
}

/** The `tasks` table over `connection`. */
export function tasksTable(connection: Connection): TasksTable {
  const first = async <Row>(statement: Statement<Row>) => (await connection.rows(statement))[0];
  return {
    create: (ownerId, task) => first(taskStatements.create(ownerId, task)),
    find: (ownerId, id) => first(taskStatements.find(ownerId, id)),
    list: (ownerId, filter, page) => connection.rows(taskStatements.list(ownerId, filter, page)),
    count: async (ownerId, filter) =>
      (await first(taskStatements.count(ownerId, filter)))?.count ?? 0,
    async change(ownerId, id, changes, condition) {
      const updated = await first(taskStatements.update(ownerId, id, changes, condition));
      if (updated) return { row: updated, changed: true };
      const decided = await first(taskStatements.decide(ownerId, id, changes, condition));
      if (!decided) return undefined;
      const { changed, ...row } = decided;
      return { row, changed };
    },
    many: async (ownerId, ids) =>
      ids.length === 0 ? [] : connection.rows(taskStatements.many(ownerId, ids)),
    liveAfter: (ownerId, after, limit) =>
      connection.rows(taskStatements.liveAfter(ownerId, after, limit)),
    ofOwner: (ownerId) => connection.rows(taskStatements.ofOwner(ownerId)),
    removeWithProject: (ownerId, projectId) =>
      connection.affected(taskStatements.removeWithProject(ownerId, projectId)),
    restoreWithProject: (ownerId, projectId) =>
      connection.affected(taskStatements.restoreWithProject(ownerId, projectId)),
    async openCounts(ownerId, projectIds) {
      const counts = new Map(projectIds.map((id) => [id, 0]));
      if (projectIds.length === 0) return counts;
      for (const row of await connection.rows(taskStatements.openCounts(ownerId, projectIds)))
        counts.set(row.project_id, row.count);
      return counts;
    },
  };
}

/**
 * The SET list and the "some value differs" test of a change (comparing against `current`, the
 * row as it is), with the values in `$n` order after the owner (`$1`) and the id (`$2`).
 */
function assignments(
  ownerId: string,
  id: number,
  changes: TaskChanges,
  condition: ChangeCondition,
  current: "tasks" | "target",
): { values: unknown[]; sets: string; differs: string; version: string } {
  const values: unknown[] = [ownerId, id];
  const param = (value: unknown, type: string) => `$${values.push(value)}::${type}`;
  const sets: string[] = [];
  const differs: string[] = [];
  const plain = (column: string, value: unknown, type: string) => {
    const placeholder = param(value, type);
    sets.push(`${column} = ${placeholder}`);
    differs.push(`${current}.${column} IS DISTINCT FROM ${placeholder}`);
  };
  if (changes.title !== undefined) plain("title", changes.title, "text");
  if (changes.description !== undefined) plain("description", changes.description, "text");
  if (changes.dueDate !== undefined) plain("due_date", changes.dueDate, "date");
  if (changes.priority !== undefined) plain("priority", changes.priority, "smallint");
  if (changes.tags !== undefined) plain("tags", changes.tags, "text[]");
  if (changes.projectId !== undefined) plain("project_id", changes.projectId, "integer");
  if (changes.recurrence !== undefined) plain("recurrence", changes.recurrence, "text");
  if (changes.recurrenceStart !== undefined)
    plain("recurrence_start", changes.recurrenceStart, "date");
  if (changes.previousDueDate !== undefined)
    plain("previous_due_date", changes.previousDueDate, "date");
  if (changes.completed !== undefined) {
    const completed = param(changes.completed, "boolean");
    sets.push(
      `completed = ${completed}`,
      // A task completed again keeps its first completion time.
      `completed_at = CASE WHEN ${completed} THEN coalesce(tasks.completed_at, now()) END`,
    );
    differs.push(`${current}.completed IS DISTINCT FROM ${completed}`);
  }
  if (changes.removed !== undefined) {
    const removed = param(changes.removed, "boolean");
    // Removed or restored on its own, a task no longer follows its project's deletion.
    sets.push(`deleted_at = CASE WHEN ${removed} THEN now() END`, "deleted_with_project = false");
    differs.push(`(${current}.deleted_at IS NOT NULL) IS DISTINCT FROM ${removed}`);
  }
  if (sets.length === 0) throw new Error("a task change needs at least one value");
  const version =
    (condition.ifVersion === undefined
      ? ""
      : ` AND ${current}.version = ${param(condition.ifVersion, "integer")}`) +
    (condition.oneOff
      ? ` AND ${current}.recurrence IS NULL AND ${current}.previous_due_date IS NULL`
      : "");
  return { values, sets: sets.join(", "), differs: differs.join(" OR "), version };
}

/**
 * The owner's tasks that `filter` covers, as a query to order or count.
 * @throws {Error} for `overdue` without `today`: the database's clock and zone are not the owner's.
 */
function filtered(ownerId: string, filter: TaskFilter) {
  const query = builder("tasks").where("user_id", ownerId);
  if (filter.removed) void query.whereNotNull("deleted_at");
  else void query.whereNull("deleted_at");
  if (filter.completed !== undefined) void query.where("completed", filter.completed);
  if (filter.text) {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    void query.where(
      (inner) =>
        void inner.where("title", "ilike", pattern).orWhere("description", "ilike", pattern),
    );
  }
  if (filter.tags?.length) void query.whereRaw("tags @> ?::text[]", [[...filter.tags]]);
  if (filter.priority !== undefined) void query.where("priority", filter.priority);
  if (filter.dueOnOrBefore) void query.where("due_date", "<=", filter.dueOnOrBefore);
  if (filter.dueOnOrAfter) void query.where("due_date", ">=", filter.dueOnOrAfter);
  if (filter.overdue !== undefined) {
    const { today } = filter;
    if (today === undefined) throw new Error("overdue is relative to the owner's today");
    if (filter.overdue) void query.where("due_date", "<", today).where("completed", false);
    else void query.whereRaw("(due_date IS NULL OR due_date >= ?::date OR completed)", [today]);
  }
  if (filter.project === null) void query.whereNull("project_id");
  else if (filter.project !== undefined) void query.where("project_id", filter.project);
  else if (!filter.removed) {
    // Archived projects' tasks stay out of lists that name no project. The archived projects are
    // read once (an InitPlan), so the scan keeps its index order and the test is a plain filter.
    void query.whereRaw(
      `(project_id IS NULL OR project_id <> ALL (ARRAY(SELECT id FROM projects WHERE user_id = ? AND archived_at IS NOT NULL)))`,
      [ownerId],
    );
  }
  return query;
}
