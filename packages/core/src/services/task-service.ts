import { z } from "zod";
import {
  TASK_ORDERS,
  type Database,
  type TaskChanges,
  type TaskFilter,
  type TaskOrder,
  type TaskRow,
  type Tables,
} from "@todo/db";
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
import { ownerOf, projectForTask } from "../access.js";
import { DomainError, notFound, preconditionFailed, unauthorized } from "../errors.js";
import type { Actor } from "./auth-service.js";

/** Options of a conditional write: `ifMatch` is the version from an `If-Match` ETag (RFC 9110 §13.1.1). */
export interface WriteOptions {
  readonly ifMatch?: number | undefined;
}

/** Maps a `tasks` row to the {@link Task} resource. */
export function toTask(row: TaskRow): Task {
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
    projectId: row.project_id,
    uid: row.uid,
    createdBy: row.created_by,
  };
}

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
const CURSOR_VALUES: Record<TaskOrder, z.ZodType<string | number | null>> = {
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
 * Tasks and the ownership rule. Every method takes the acting user and reaches tasks only as that
 * user's, through the `tasks` table module, whose every statement is keyed by `(user_id, id)`:
 * another user's task is indistinguishable from a missing one (404).
 *
 * A write that changes nothing (the same title, a completed task completed again) leaves the task
 * untouched: neither `version` nor `updatedAt` moves, so a client can tell by comparing.
 */
export class TaskService {
  constructor(private readonly db: Database) {}

  /**
   * Creates a task numbered with the owner's next sequential id (never reused, never colliding),
   * in the project `projectId` names, if any.
   * @throws {DomainError} `validation_failed` (422) on `projectId` for a project the caller does
   *   not have (another user's is refused alike); `unauthorized` when the acting user no longer exists.
   */
  async create(actor: Actor, input: TaskCreate): Promise<Task> {
    const projectId = input.projectId ?? null;
    const task = {
      title: input.title,
      description: input.description ?? null,
      dueDate: input.dueDate ?? null,
      priority: PRIORITIES.indexOf(input.priority ?? "none"),
      tags: input.tags ?? [],
      completed: input.completed ?? false,
      projectId,
    };
    const row =
      projectId === null
        ? await this.db.tasks.create(ownerOf(actor), task)
        : await this.db.transaction(async (tables) => {
            await projectForTask(tables, actor, projectId);
            return tables.tasks.create(ownerOf(actor), task);
          });
    if (!row) throw unauthorized("This account no longer exists.", "invalid");
    return toTask(row);
  }

  /**
   * Lists the caller's live tasks (or, with `deleted`, the trash) with filters, sort and either
   * offset (`page`, with totals) or keyset (`cursor`) paging. A deep cursor page costs what the
   * first does.
   * @throws {DomainError} `validation_failed` for a cursor that is not one this API issued for this sort.
   */
  async list(actor: Actor, listQuery: TaskListQuery): Promise<TaskList> {
    const sort = listQuery.sort ?? defaultTaskSort(listQuery);
    const descending = sort.startsWith("-");
    const order = (descending ? sort.slice(1) : sort) as TaskOrder;
    const filter = toFilter(listQuery);
    const { limit } = listQuery;
    // One row more than the page tells whether there is a next one.
    const page = { order, descending, limit: limit + 1 };

    if (listQuery.cursor !== undefined) {
      const after = decodeCursor(listQuery.cursor, sort, order);
      const rows = await this.db.tasks.list(ownerOf(actor), filter, { ...page, after });
      return this.page(rows, limit, sort, order, {});
    }
    const number = listQuery.page ?? 1;
    const [rows, total] = await Promise.all([
      this.db.tasks.list(ownerOf(actor), filter, { ...page, offset: (number - 1) * limit }),
      this.db.tasks.count(ownerOf(actor), filter),
    ]);
    return this.page(rows, limit, sort, order, {
      total,
      page: number,
      totalPages: Math.ceil(total / limit),
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
   * Applies a partial update; `null` clears `description` and `dueDate`. Setting `completed` sets
   * or clears `completedAt`. Values equal to the current ones change nothing.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412) for a stale `ifMatch`.
   */
  async update(
    actor: Actor,
    id: number,
    input: TaskUpdate,
    options: WriteOptions = {},
  ): Promise<Task> {
    const changes = toChanges(input);
    if (Object.keys(changes).length === 0) return this.checked(actor, id, options);
    return this.change(actor, id, changes, options);
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
      projectId: input.projectId ?? null,
    };
    return this.change(actor, id, toChanges(full), options);
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
    return this.change(actor, id, { completed }, options);
  }

  /**
   * Soft-deletes a task; {@link TaskService.restore} brings it back.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412).
   */
  async remove(actor: Actor, id: number, options: WriteOptions = {}): Promise<void> {
    await this.change(actor, id, { removed: true }, options);
  }

  /**
   * Undoes a soft delete. Restoring a task that is not deleted returns it unchanged. A task whose
   * project has been deleted since comes back in no project (the Inbox): restoring the project
   * instead brings back the tasks deleted with it.
   * @throws {DomainError} `not_found` (404).
   */
  async restore(actor: Actor, id: number): Promise<Task> {
    const task = await this.change(actor, id, { removed: false }, {}, true);
    if (task.projectId === null || (await this.db.projects.find(ownerOf(actor), task.projectId)))
      return task;
    return this.change(actor, id, { projectId: null }, {});
  }

  private async findLive(actor: Actor, id: number): Promise<TaskRow> {
    const row = await this.db.tasks.find(ownerOf(actor), id);
    if (!row) throw notFound(`Task ${id}`);
    return row;
  }

  /** The current task, after checking `ifMatch` against it (a write with nothing to write). */
  private async checked(actor: Actor, id: number, options: WriteOptions): Promise<Task> {
    const row = await this.findLive(actor, id);
    if (options.ifMatch !== undefined && options.ifMatch !== row.version)
      throw preconditionFailed(row.version);
    return toTask(row);
  }

  /**
   * One conditional change, decided by the table on one locked state of the row: no task is 404;
   * a task not changed while `ifMatch` names another version is 412; otherwise the task as it now
   * is, changed or (when every value already was as asked) untouched.
   */
  private async change(
    actor: Actor,
    id: number,
    changes: TaskChanges,
    options: WriteOptions,
    includeRemoved = false,
  ): Promise<Task> {
    const { projectId } = changes;
    const apply = (tables: Tables) =>
      tables.tasks.change(ownerOf(actor), id, changes, {
        ifVersion: options.ifMatch,
        includeRemoved,
      });
    // Moving a task into a project checks the project and holds it until the move commits.
    const outcome =
      projectId === undefined || projectId === null
        ? await apply(this.db)
        : await this.db.transaction(async (tables) => {
            await projectForTask(tables, actor, projectId);
            return apply(tables);
          });
    if (!outcome) throw notFound(`Task ${id}`);
    const { row, changed } = outcome;
    if (!changed && options.ifMatch !== undefined && options.ifMatch !== row.version)
      throw preconditionFailed(row.version);
    return toTask(row);
  }

  private page(
    rows: TaskRow[],
    limit: number,
    sort: TaskSort,
    order: TaskOrder,
    totals: Partial<TaskList["meta"]>,
  ): TaskList {
    const data = rows.slice(0, limit);
    const last = data.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor(sort, order, last) : null;
    return { data: data.map(toTask), meta: { limit, ...totals, nextCursor } };
  }
}

/** Contract fields → the table's values (priority as its number). */
function toChanges(input: TaskUpdate): TaskChanges {
  const changes: { -readonly [K in keyof TaskChanges]: TaskChanges[K] } = {};
  if (input.title !== undefined) changes.title = input.title;
  if (input.description !== undefined) changes.description = input.description;
  if (input.dueDate !== undefined) changes.dueDate = input.dueDate;
  if (input.priority !== undefined) changes.priority = PRIORITIES.indexOf(input.priority);
  if (input.tags !== undefined) changes.tags = input.tags;
  if (input.completed !== undefined) changes.completed = input.completed;
  if (input.projectId !== undefined) changes.projectId = input.projectId;
  return changes;
}

/** The contract's list query → the table's filter. */
function toFilter(query: TaskListQuery): TaskFilter {
  return {
    removed: query.deleted,
    completed: query.status === "all" ? undefined : query.status === "completed",
    text: query.q,
    tags: query.tag,
    priority: query.priority === undefined ? undefined : PRIORITIES.indexOf(query.priority),
    dueOnOrBefore: query.dueBefore,
    dueOnOrAfter: query.dueAfter,
    overdue: query.overdue,
    project: query.project,
  };
}

function encodeCursor(sort: TaskSort, order: TaskOrder, row: TaskRow): string {
  const raw = row[TASK_ORDERS[order].column];
  const value = raw instanceof Date ? raw.toISOString() : (raw ?? null);
  return Buffer.from(JSON.stringify([sort, value, row.id])).toString("base64url");
}

function decodeCursor(
  cursor: string,
  sort: TaskSort,
  order: TaskOrder,
): { value: string | number | null; id: number } {
  let parsed: z.infer<typeof CursorPayload> | undefined;
  try {
    parsed = CursorPayload.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed[0] !== sort || !CURSOR_VALUES[order].safeParse(parsed[1]).success) {
    throw new DomainError(
      "validation_failed",
      "The cursor is not valid for this list. Start again without a cursor.",
      {
        errors: [{ path: "cursor", message: "is not a cursor this API issued for this sort" }],
      },
    );
  }
  return { value: parsed[1], id: parsed[2] };
}
