import { z } from "zod";
import {
  TASK_ORDERS,
  type ChangeCondition,
  type Database,
  type TaskChangeOutcome,
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
  TaskCreate as TaskCreateSchema,
  todayIn,
  type QuickAddParse,
  type QuickAddRequest,
  type QuickAddResult,
} from "@todo/contract";
import { ownerOf, projectForTask } from "../access.js";
import {
  DomainError,
  notFound,
  preconditionFailed,
  unauthorized,
  validationFailed,
} from "../errors.js";
import {
  firstOccurrence,
  nextOccurrence,
  normalizeRecurrence,
  recurrenceText,
} from "../recurrence.js";
import { noSuchProject, parseQuickAdd, projectsIn, type ProjectResolver } from "../quick-add.js";
import type { Actor } from "./auth-service.js";

/** The current instant; tests pass a fixed one to drive "today" deterministically. */
export type Clock = () => Date;

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
    recurrence: row.recurrence,
    recurrenceText: row.recurrence ? recurrenceText(row.recurrence) : null,
  };
}

/** Attempts of a read-then-write change when other writes keep landing between the two. */
const CHANGE_ATTEMPTS = 5;

/** The 422 for a recurrence without a due date to start from. */
const recurrenceNeedsDueDate = () =>
  new DomainError(
    "validation_failed",
    "Invalid body: recurrence needs a dueDate, the day the rule starts from.",
    { errors: [{ path: "recurrence", message: "needs a dueDate, the day the rule starts from" }] },
  );

/**
 * The recurrence columns after a write of `dueDate` and/or `recurrence` (either `undefined`:
 * unchanged) to a task that has `current` ones: the rule normalised, its start the due date it
 * now has, and no reopen target (an edit is not a completion to undo).
 * @throws {DomainError} `validation_failed` on `recurrence`: not a valid rule, or no due date.
 */
function recurrenceChanges(
  current: Pick<TaskRow, "due_date" | "recurrence"> | undefined,
  input: Pick<TaskUpdate, "dueDate" | "recurrence">,
): TaskChanges {
  if (input.dueDate === undefined && input.recurrence === undefined) return {};
  const recurrence =
    input.recurrence === undefined
      ? (current?.recurrence ?? null)
      : input.recurrence && normalizeRecurrence(input.recurrence);
  const dueDate = input.dueDate === undefined ? (current?.due_date ?? null) : input.dueDate;
  if (recurrence && !dueDate) throw recurrenceNeedsDueDate();
  return {
    recurrence,
    recurrenceStart: recurrence ? dueDate : null,
    previousDueDate: null,
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
  /**
   * @param clock the current instant: "today" (overdue, recurrence, date words) is its date in
   *   the owner's time zone, never the server's.
   * @param projects finds the project a quick add's `+name` names.
   */
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = () => new Date(),
    private readonly projects: ProjectResolver = projectsIn(db),
  ) {}

  /**
   * Reads a line of quick add in the owner's calendar (see `parseQuickAdd`) into the task it
   * would make; the request's other fields win over the line's words, and its tags add to them.
   * Creates nothing.
   * @throws {DomainError} `validation_failed` (422): no title left, a `+name` that is none of the
   *   caller's projects, or fields the task cannot have (a title over 200 characters…).
   */
  async parseQuickAdd(actor: Actor, input: QuickAddRequest): Promise<QuickAddParse> {
    return (await this.readQuickAdd(actor, input)).parsed;
  }

  /**
   * Creates the task a line of quick add describes ({@link TaskService.parseQuickAdd}).
   * @throws {DomainError} `validation_failed` (422); `unauthorized` when the user no longer exists.
   */
  async quickAdd(actor: Actor, input: QuickAddRequest): Promise<QuickAddResult> {
    const { parsed, task } = await this.readQuickAdd(actor, input);
    return { task: await this.create(actor, task), parsed };
  }

  private async readQuickAdd(
    actor: Actor,
    input: QuickAddRequest,
  ): Promise<{ parsed: QuickAddParse; task: TaskCreate }> {
    const today = await this.today(actor);
    const { text, ...fields } = input;
    const parts = await parseQuickAdd(text, today);
    const projectId =
      parts.project === null ? undefined : await this.projects.idOf(actor, parts.project);
    if (parts.project !== null && projectId === undefined) throw noSuchProject(parts.project);
    const recurrence =
      fields.recurrence === undefined
        ? parts.recurrence
        : fields.recurrence && normalizeRecurrence(fields.recurrence);
    const dueDate =
      (fields.dueDate === undefined ? parts.dueDate : fields.dueDate) ??
      (recurrence ? (firstOccurrence(recurrence, today) ?? null) : null);
    const checked = TaskCreateSchema.safeParse({
      ...fields,
      title: parts.title,
      dueDate,
      recurrence,
      tags: [...parts.tags, ...(fields.tags ?? [])],
      priority: fields.priority ?? parts.priority ?? undefined,
      projectId: fields.projectId === undefined ? projectId : fields.projectId,
    });
    if (!checked.success) throw validationFailed(checked.error, "body");
    const task = checked.data;
    return {
      task,
      parsed: {
        title: task.title,
        dueDate: task.dueDate ?? null,
        recurrence: task.recurrence ?? null,
        recurrenceText: task.recurrence ? recurrenceText(task.recurrence) : null,
        tags: task.tags ?? [],
        priority: fields.priority ?? parts.priority,
        project: parts.project,
      },
    };
  }

  /**
   * Creates a task numbered with the owner's next sequential id (never reused, never colliding),
   * in the project `projectId` names, if any.
   * @throws {DomainError} `validation_failed` (422) on `projectId` for a project the caller does
   *   not have (another user's is refused alike); `unauthorized` when the acting user no longer exists.
   */
  async create(actor: Actor, input: TaskCreate): Promise<Task> {
    const projectId = input.projectId ?? null;
    const { recurrence, recurrenceStart } = recurrenceChanges(undefined, input);
    const task = {
      title: input.title,
      description: input.description ?? null,
      dueDate: input.dueDate ?? null,
      priority: PRIORITIES.indexOf(input.priority ?? "none"),
      tags: input.tags ?? [],
      completed: input.completed ?? false,
      projectId,
      recurrence,
      recurrenceStart,
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
    const today = listQuery.overdue === undefined ? undefined : await this.today(actor);
    const filter = { ...toFilter(listQuery), today };
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
    // `{completed}` alone is a completion or a reopen, as `/complete` and `/reopen` are: a
    // recurring task then moves to its next date (or back) instead of completing for good.
    if (input.completed !== undefined && Object.keys(input).length === 1)
      return this.setCompleted(actor, id, input.completed, options);
    if (input.dueDate !== undefined || input.recurrence !== undefined)
      return this.changeFrom(actor, id, options, (row) => ({
        ...changes,
        ...recurrenceChanges(row, input),
      }));
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
      recurrence: input.recurrence ?? null,
    };
    return this.changeFrom(actor, id, options, (row) => ({
      ...toChanges(full),
      ...recurrenceChanges(row, full),
    }));
  }

  /**
   * Marks a task completed (or, with `completed: false`, pending again). Idempotent: a task already
   * in that state is returned unchanged, its version not bumped.
   *
   * A recurring task stays pending instead: its due date moves to the rule's first occurrence
   * after both the due date and the owner's today (in their time zone), and the date it left is
   * kept, so that a reopen right after puts it back. When the rule has no further occurrence
   * (COUNT, UNTIL) the task completes for good.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412).
   */
  async setCompleted(
    actor: Actor,
    id: number,
    completed: boolean,
    options: WriteOptions = {},
  ): Promise<Task> {
    // A one-off task changes in one statement; a recurring one is read first.
    const outcome = await this.db.tasks.change(
      ownerOf(actor),
      id,
      { completed },
      { ifVersion: options.ifMatch, oneOff: true },
    );
    if (!outcome) throw notFound(`Task ${id}`);
    if (outcome.changed || (!outcome.row.recurrence && !outcome.row.previous_due_date))
      return settled(outcome, options);
    return this.changeFrom(actor, id, options, async (row): Promise<TaskChanges> => {
      if (row.completed || !row.recurrence || !row.due_date) {
        if (completed || !row.previous_due_date) return { completed };
        return { completed, dueDate: row.previous_due_date, previousDueDate: null };
      }
      if (!completed) {
        // Pending already: undo the last completion, if it moved the due date.
        return row.previous_due_date
          ? { dueDate: row.previous_due_date, previousDueDate: null }
          : { completed };
      }
      const next = nextOccurrence(
        row.recurrence,
        row.recurrence_start ?? row.due_date,
        row.due_date,
        await this.today(actor),
      );
      return next
        ? { dueDate: next, previousDueDate: row.due_date }
        : { completed: true, previousDueDate: null };
    });
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

  /**
   * The owner's today: the clock's date in their time zone (`YYYY-MM-DD`).
   * @throws {DomainError} `unauthorized` when the acting user no longer exists.
   */
  async today(actor: Actor): Promise<string> {
    const user = await this.db.users.findById(actor.userId);
    if (!user) throw unauthorized("This account no longer exists.", "invalid");
    return todayIn(user.timeZone, this.clock());
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
   * A change that depends on the task as it is: reads it, asks `changesFor` what to write, and
   * writes that only onto the version read (or `ifMatch`, when given), reading again when another
   * write landed in between, so the change always rests on the state it was computed from.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412) for a stale `ifMatch`, or
   *   when other writes keep landing between the read and the write.
   */
  private async changeFrom(
    actor: Actor,
    id: number,
    options: WriteOptions,
    changesFor: (row: TaskRow) => TaskChanges | Promise<TaskChanges>,
  ): Promise<Task> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.findLive(actor, id);
      if (options.ifMatch !== undefined && options.ifMatch !== row.version)
        throw preconditionFailed(row.version);
      const changes = await changesFor(row);
      if (Object.keys(changes).length === 0) return toTask(row);
      const outcome = await this.apply(actor, id, changes, { ifVersion: row.version });
      if (!outcome) throw notFound(`Task ${id}`);
      // Not changed: every value already was as asked (same version), or another write won.
      if (outcome.changed || outcome.row.version === row.version) return toTask(outcome.row);
      if (options.ifMatch !== undefined || attempt >= CHANGE_ATTEMPTS)
        throw preconditionFailed(outcome.row.version);
    }
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
    const outcome = await this.apply(actor, id, changes, {
      ifVersion: options.ifMatch,
      includeRemoved,
    });
    if (!outcome) throw notFound(`Task ${id}`);
    return settled(outcome, options);
  }

  /**
   * Writes `changes` to task `id` under `condition`. Moving a task into a project checks the
   * project (422 on `projectId` for one the caller cannot reach) and holds it until the move
   * commits, so the project cannot be deleted in between.
   */
  private async apply(
    actor: Actor,
    id: number,
    changes: TaskChanges,
    condition: ChangeCondition,
  ): Promise<TaskChangeOutcome | undefined> {
    const { projectId } = changes;
    const write = (tables: Tables) => tables.tasks.change(ownerOf(actor), id, changes, condition);
    if (projectId === undefined || projectId === null) return write(this.db);
    return this.db.transaction(async (tables) => {
      await projectForTask(tables, actor, projectId);
      return write(tables);
    });
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

/**
 * The task after a conditional change: as it now is, changed or (every value already was as
 * asked) untouched.
 * @throws {DomainError} `precondition_failed` (412) when it was not changed while `ifMatch` names
 *   another version.
 */
function settled({ row, changed }: TaskChangeOutcome, options: WriteOptions): Task {
  if (!changed && options.ifMatch !== undefined && options.ifMatch !== row.version)
    throw preconditionFailed(row.version);
  return toTask(row);
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
