import { z } from "zod";
import type { Database, Knex, TaskRecord } from "@todo/db";
import {
  defaultTaskSort,
  IsoDate,
  PRIORITIES,
  type Task,
  type TaskCreate,
  type TaskList,
  type TaskListQuery,
  type TaskReplace,
  type TaskSort,
  type TaskUpdate,
} from "@todo/contract";
import { DomainError, notFound, preconditionFailed, unauthorized } from "../errors.js";
import type { Actor } from "./auth-service.js";

/** Options of a conditional write: `ifMatch` is the version from an `If-Match` ETag (RFC 9110 §13.1.1). */
export interface WriteOptions {
  readonly ifMatch?: number | undefined;
}

/** Maps a `tasks` row to the {@link Task} resource. */
export function toTask(row: TaskRecord): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completedAt: row.completed_at ? row.completed_at.toISOString() : null,
    dueDate: row.due_date,
    priority: PRIORITIES[row.priority] ?? "none",
    tags: row.tags,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deletedAt: row.deleted_at ? row.deleted_at.toISOString() : null,
  };
}

/**
 * Each sort field's SQL sort key (each has an index `(user_id, key, id) WHERE deleted_at IS NULL`)
 * and the row column a cursor records for it. Tasks without a due date sort as if due at
 * `infinity`: last ascending, first descending, with a key that is never null, so a keyset cursor
 * is always one row comparison the index can start at.
 */
const SORTS = {
  createdAt: { key: "created_at", column: "created_at" },
  updatedAt: { key: "updated_at", column: "updated_at" },
  dueDate: { key: "coalesce(due_date, 'infinity'::date)", column: "due_date" },
  priority: { key: "priority", column: "priority" },
  title: { key: "title", column: "title" },
  // The trash only (deleted_at is never null there): index `(user_id, deleted_at, id) WHERE deleted_at IS NOT NULL`.
  deletedAt: { key: "deleted_at", column: "deleted_at" },
} as const satisfies Record<string, { key: string; column: keyof TaskRecord }>;
type SortField = keyof typeof SORTS;

/** A keyset cursor: the sort it belongs to, the last row's sort value and its id. */
const CursorPayload = z.tuple([
  z.string(),
  z.union([z.string(), z.number(), z.null()]),
  z.number().int().positive().max(2_147_483_647),
]);

/** A timestamp PostgreSQL can hold (no year 0), as `toISOString()` writes it. */
const CursorTimestamp = z.iso
  .datetime()
  .refine((value) => !value.startsWith("0000-") && !Number.isNaN(Date.parse(value)));

/** What a cursor's value must be for each sort field, so a forged one never reaches SQL. */
const CURSOR_VALUES: Record<SortField, z.ZodType<string | number | null>> = {
  createdAt: CursorTimestamp,
  updatedAt: CursorTimestamp,
  dueDate: IsoDate.nullable(),
  priority: z.number().int().min(0).max(3),
  deletedAt: CursorTimestamp,
  title: z
    .string()
    .max(200)
    .refine((value) => !value.includes("\u0000")),
};

/**
 * Tasks and the ownership rule. Every method takes the acting user and reaches rows only through
 * {@link TaskService.owned}, keyed by `(user_id, id)`: another user's task is indistinguishable
 * from a missing one (404).
 */
export class TaskService {
  constructor(private readonly db: Database) {}

  /**
   * Creates a task numbered with the owner's next sequential id. The number is taken from
   * `users.task_seq` in the same statement as the insert, so concurrent creates never collide and
   * numbers are never reused.
   * @throws {DomainError} `unauthorized` when the acting user no longer exists.
   */
  async create(actor: Actor, input: TaskCreate): Promise<Task> {
    const completed = input.completed ?? false;
    const [row] = await this.db.rows<TaskRecord>(
      this.db.knex.raw(
        `WITH seq AS (UPDATE users SET task_seq = task_seq + 1 WHERE id = ? RETURNING task_seq)
       INSERT INTO tasks (user_id, id, title, description, completed, completed_at, due_date, priority, tags)
       SELECT ?, seq.task_seq, ?, ?, ?, CASE WHEN ? THEN now() END, ?, ?, ?::text[] FROM seq
       RETURNING *`,
        [
          actor.userId,
          actor.userId,
          input.title,
          input.description ?? null,
          completed,
          completed,
          input.dueDate ?? null,
          PRIORITIES.indexOf(input.priority ?? "none"),
          input.tags ?? [],
        ],
      ),
    );
    if (!row) throw unauthorized("This account no longer exists.", "invalid");
    return toTask(row);
  }

  /**
   * Lists the caller's live tasks with filters, sort and either offset (`page`, with totals) or
   * keyset (`cursor`) paging. A deep cursor page costs what the first does.
   * @throws {DomainError} `validation_failed` for a cursor that is not one this API issued for this sort.
   */
  async list(actor: Actor, listQuery: TaskListQuery): Promise<TaskList> {
    const query = { ...listQuery, sort: listQuery.sort ?? defaultTaskSort(listQuery) };
    const { field, descending } = parseSort(query.sort);
    const { key } = SORTS[field];
    const filtered = query.deleted
      ? this.owned(actor).whereNotNull("deleted_at")
      : this.live(actor);
    applyFilters(filtered, query);
    const ordered: TaskQuery = filtered
      .clone()
      .orderByRaw(`${key} ${descending ? "DESC" : "ASC"}, id ${descending ? "DESC" : "ASC"}`)
      .limit(query.limit + 1);

    if (query.cursor !== undefined) {
      const [value, id] = decodeCursor(query.cursor, query.sort, field);
      applyKeyset(ordered, key, descending, value, id);
      return this.page(await this.db.rows<TaskRecord>(ordered), query, field, {});
    }
    const page = query.page ?? 1;
    const [rows, counted] = await Promise.all([
      this.db.rows<TaskRecord>(ordered.offset((page - 1) * query.limit)),
      this.db.rows<{ count: string | number }>(filtered.clone().count({ count: "*" })),
    ]);
    const total = Number(counted[0]?.count ?? 0);
    return this.page(rows, query, field, {
      total,
      page,
      totalPages: Math.ceil(total / query.limit),
    });
  }

  /**
   * Reads one of the caller's tasks.
   * @throws {DomainError} `not_found` (404), also for another user's task.
   */
  async get(actor: Actor, id: number): Promise<Task> {
    return toTask(await this.findLive(actor, id));
  }

  /**
   * Applies a partial update; `null` clears `description` and `dueDate`. An empty update changes
   * nothing. Setting `completed` sets or clears `completedAt`.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412) for a stale `ifMatch`.
   */
  async update(
    actor: Actor,
    id: number,
    input: TaskUpdate,
    options: WriteOptions = {},
  ): Promise<Task> {
    const changes = toColumns(input, this.db.knex);
    if (Object.keys(changes).length === 0) return this.checked(actor, id, options);
    return this.write(actor, id, changes, options);
  }

  /**
   * Replaces the editable state; omitted fields return to their defaults.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412).
   */
  async replace(
    actor: Actor,
    id: number,
    input: TaskReplace,
    options: WriteOptions = {},
  ): Promise<Task> {
    const full: Required<TaskUpdate> = {
      title: input.title,
      description: input.description ?? null,
      dueDate: input.dueDate ?? null,
      priority: input.priority ?? "none",
      tags: input.tags ?? [],
      completed: input.completed ?? false,
    };
    return this.write(actor, id, toColumns(full, this.db.knex), options);
  }

  /**
   * Marks a task completed (or, with `completed: false`, pending again). Idempotent: a task already
   * in that state is returned unchanged, its version not bumped.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412).
   */
  async setCompleted(
    actor: Actor,
    id: number,
    completed: boolean,
    options: WriteOptions = {},
  ): Promise<Task> {
    const [row] = await this.db.rows<TaskRecord>(
      this.live(actor)
        .where({ id, completed: !completed })
        .modify(ifMatch, options)
        .update(stamp(toColumns({ completed }, this.db.knex), this.db.knex))
        .returning("*"),
    );
    return row ? toTask(row) : this.checked(actor, id, options);
  }

  /**
   * Soft-deletes a task; {@link TaskService.restore} brings it back.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412).
   */
  async remove(actor: Actor, id: number, options: WriteOptions = {}): Promise<void> {
    await this.write(actor, id, { deleted_at: this.db.knex.fn.now() }, options);
  }

  /**
   * Undoes a soft delete. Restoring a task that is not deleted returns it unchanged.
   * @throws {DomainError} `not_found` (404).
   */
  async restore(actor: Actor, id: number): Promise<Task> {
    const [row] = await this.db.rows<TaskRecord>(
      this.owned(actor)
        .where({ id })
        .whereNotNull("deleted_at")
        .update(stamp({ deleted_at: null }, this.db.knex))
        .returning("*"),
    );
    return row ? toTask(row) : this.get(actor, id);
  }

  /**
   * The ownership rule, in its one place: every task query starts from the caller's rows. Plain
   * knex rather than the Task model: rows map straight to the contract with {@link toTask}, and
   * run through {@link Database.rows}.
   */
  private owned(actor: Actor): TaskQuery {
    return this.db.knex<TaskRecord>("tasks").where("tasks.user_id", actor.userId);
  }

  /** The caller's tasks that are not deleted. */
  private live(actor: Actor): TaskQuery {
    return this.owned(actor).whereNull("deleted_at");
  }

  private async findLive(actor: Actor, id: number): Promise<TaskRecord> {
    const [row] = await this.db.rows<TaskRecord>(this.live(actor).where({ id }).first());
    if (!row) throw notFound(`Task ${id}`);
    return row;
  }

  /** The current task, after checking `ifMatch` against it. */
  private async checked(actor: Actor, id: number, options: WriteOptions): Promise<Task> {
    const row = await this.findLive(actor, id);
    if (options.ifMatch !== undefined && options.ifMatch !== row.version)
      throw preconditionFailed(row.version);
    return toTask(row);
  }

  /** One conditional UPDATE … RETURNING; on no row, tells 404 from 412. */
  private async write(
    actor: Actor,
    id: number,
    changes: Record<string, unknown>,
    options: WriteOptions,
  ): Promise<Task> {
    const [row] = await this.db.rows<TaskRecord>(
      this.live(actor)
        .where({ id })
        .modify(ifMatch, options)
        .update(stamp(changes, this.db.knex))
        .returning("*"),
    );
    if (row) return toTask(row);
    return this.checked(actor, id, options);
  }

  private page(
    rows: TaskRecord[],
    query: TaskListQuery & { sort: TaskSort },
    field: SortField,
    totals: Partial<TaskList["meta"]>,
  ): TaskList {
    const hasMore = rows.length > query.limit;
    const data = rows.slice(0, query.limit);
    const last = data.at(-1);
    const nextCursor = hasMore && last ? encodeCursor(query.sort, field, last) : null;
    return { data: data.map(toTask), meta: { limit: query.limit, ...totals, nextCursor } };
  }
}

type TaskQuery = Knex.QueryBuilder<TaskRecord, TaskRecord[]>;

function ifMatch(builder: TaskQuery, options: WriteOptions): void {
  if (options.ifMatch !== undefined) void builder.where("version", options.ifMatch);
}

/** Bumps the version and `updated_at` with every change. */
function stamp(changes: Record<string, unknown>, knex: Knex): Record<string, unknown> {
  return { ...changes, version: knex.raw("version + 1"), updated_at: knex.fn.now() };
}

/** Contract fields → column values (snake_case, raw where SQL must compute the value). */
function toColumns(input: TaskUpdate, knex: Knex): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (input.title !== undefined) columns.title = input.title;
  if (input.description !== undefined) columns.description = input.description;
  if (input.dueDate !== undefined) columns.due_date = input.dueDate;
  if (input.priority !== undefined) columns.priority = PRIORITIES.indexOf(input.priority);
  if (input.tags !== undefined) columns.tags = knex.raw("?::text[]", [input.tags]);
  if (input.completed !== undefined) {
    columns.completed = input.completed;
    // Keep the first completion time when a completed task is saved as completed again.
    columns.completed_at = input.completed
      ? knex.raw("CASE WHEN completed THEN completed_at ELSE now() END")
      : null;
  }
  return columns;
}

function parseSort(sort: TaskSort): { field: SortField; descending: boolean } {
  const descending = sort.startsWith("-");
  return { field: (descending ? sort.slice(1) : sort) as SortField, descending };
}

const TODAY_UTC = "(now() AT TIME ZONE 'UTC')::date";

function applyFilters(builder: TaskQuery, query: TaskListQuery): void {
  if (query.status !== "all") void builder.where("completed", query.status === "completed");
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    void builder.where(
      (inner) =>
        void inner.where("title", "ilike", pattern).orWhere("description", "ilike", pattern),
    );
  }
  if (query.tag?.length) void builder.whereRaw("tags @> ?::text[]", [query.tag]);
  if (query.priority) void builder.where("priority", PRIORITIES.indexOf(query.priority));
  // Both bounds are inclusive ("due on or before / on or after"), as the contract documents them.
  if (query.dueBefore) void builder.where("due_date", "<=", query.dueBefore);
  if (query.dueAfter) void builder.where("due_date", ">=", query.dueAfter);
  // "Today" is the UTC date, whatever the database session's time zone (as the contract documents).
  if (query.overdue === true)
    void builder.whereRaw(`due_date < ${TODAY_UTC}`).where("completed", false);
  if (query.overdue === false)
    void builder.whereRaw(`(due_date IS NULL OR due_date >= ${TODAY_UTC} OR completed)`);
}

/** Rows after `(value, id)` in the list's order: one row comparison, served by the sort's index. */
function applyKeyset(
  builder: TaskQuery,
  key: string,
  descending: boolean,
  value: string | number | null,
  id: number,
): void {
  // Only a due date can be null, and its sort key is `coalesce(due_date, 'infinity')`.
  void builder.whereRaw(`(${key}, id) ${descending ? "<" : ">"} (?, ?)`, [value ?? "infinity", id]);
}

function encodeCursor(sort: TaskSort, field: SortField, row: TaskRecord): string {
  const raw = row[SORTS[field].column];
  const value = raw instanceof Date ? raw.toISOString() : (raw ?? null);
  return Buffer.from(JSON.stringify([sort, value, row.id])).toString("base64url");
}

function decodeCursor(
  cursor: string,
  sort: TaskSort,
  field: SortField,
): [string | number | null, number] {
  let parsed: z.infer<typeof CursorPayload> | undefined;
  try {
    parsed = CursorPayload.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed[0] !== sort || !CURSOR_VALUES[field].safeParse(parsed[1]).success) {
    throw new DomainError(
      "validation_failed",
      "The cursor is not valid for this list. Start again without a cursor.",
      {
        errors: [{ path: "cursor", message: "is not a cursor this API issued for this sort" }],
      },
    );
  }
  return [parsed[1], parsed[2]];
}
