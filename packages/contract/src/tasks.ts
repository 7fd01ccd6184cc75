import { z } from "zod";
import { IsoDate, text, Timestamp } from "./common.js";
import { numberId, ProjectId, ProjectNumber } from "./projects.js";

/** Task priorities, lowest first; stored as their index (0–3). */
export const PRIORITIES = ["none", "low", "medium", "high"] as const;
export const Priority = z.enum(PRIORITIES).meta({
  id: "Priority",
  description: "How urgent a task is: `none`, `low`, `medium` or `high`.",
});
export type Priority = z.infer<typeof Priority>;

/** A title: trimmed, 1–200 characters. */
export const Title = text()
  .trim()
  .min(1, "must not be blank")
  .max(200, "must be at most 200 characters")
  .meta({ description: "Trimmed; 1–200 characters.", example: "Buy milk" });

/** A description: trimmed, at most 5,000 characters; blank means none (`null`). */
export const Description = text()
  .trim()
  .max(5000, "must be at most 5000 characters")
  .transform((value) => (value === "" ? null : value))
  .nullable()
  .meta({
    description: "Trimmed; at most 5,000 characters. Blank or `null` means none.",
    example: "Two litres, semi-skimmed",
  });

/** The longest tag, in characters. */
export const TAG_MAX_LENGTH = 40;

/** A tag: trimmed, lower-cased, 1–40 characters. */
export const Tag = text()
  .trim()
  .toLowerCase()
  .min(1, "must not be blank")
  .max(TAG_MAX_LENGTH, `must be at most ${TAG_MAX_LENGTH} characters`)
  .meta({ description: "Trimmed and lower-cased; 1–40 characters.", example: "home" });

/** The most tags a task carries. */
export const MAX_TAGS = 20;

/** Up to 20 tags; duplicates (after lower-casing) are merged, first occurrence kept. */
export const Tags = z
  .array(Tag)
  .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .transform((tags) => [...new Set(tags)])
  .meta({ description: "Up to 20 tags; duplicates are merged.", example: ["home", "errands"] });

const TASK_EXAMPLE = {
  id: 3,
  title: "Buy milk",
  description: null,
  completed: false,
  completedAt: null,
  dueDate: "2026-12-01",
  priority: "high",
  tags: ["home"],
  version: 2,
  createdAt: "2026-11-21T10:00:00.000Z",
  updatedAt: "2026-11-21T10:05:00.000Z",
  deletedAt: null,
  projectId: 2,
  uid: "0b7f5a52-3c9e-4f0e-9d64-8f2b1c1e4a10",
  createdBy: "5f0c6a9e-2d41-4b8e-b7b3-9a1d2e3f4c50",
  recurrence: "FREQ=WEEKLY;BYDAY=TU",
  recurrenceText: "every week on Tuesday",
} as const;

/** A recurrence rule as a client sends it: an RFC 5545 RRULE; the API checks and normalises it. */
export const Recurrence = text()
  .trim()
  .min(1, "must not be blank")
  .max(500, "must be at most 500 characters")
  .meta({
    description:
      "An RFC 5545 RRULE without DTSTART (`FREQ=WEEKLY;BYDAY=MO`), DAILY to YEARLY; it needs a `dueDate`, where it starts. Completing the task moves `dueDate` to the next occurrence after both the due date and today. `null` clears it.",
    example: "FREQ=MONTHLY;BYMONTHDAY=1",
  });

/** The task resource every endpoint returns. `version` is also the ETag. */
export const Task = z
  .object({
    id: z
      .number()
      .int()
      .positive()
      .meta({ description: "Your task number: 1, 2, 3 … per user, never reused." }),
    title: z.string(),
    description: z.string().nullable(),
    completed: z.boolean(),
    completedAt: Timestamp.nullable().meta({
      description: "When it was completed; `null` while pending.",
    }),
    dueDate: IsoDate.nullable(),
    priority: Priority,
    tags: z.array(z.string()),
    version: z
      .number()
      .int()
      .positive()
      .meta({ description: 'Bumped on every change; also the `ETag` (`"2"`).' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    deletedAt: Timestamp.nullable().meta({
      description:
        "When it was removed (it is then in the trash, `GET /tasks?deleted=true`, until restored); `null` for a live task.",
    }),
    projectId: z.number().int().positive().nullable().meta({
      description: "Your project it is in (`/projects/{id}`); `null`: in no project (the Inbox).",
    }),
    uid: z.uuid().meta({
      description: "Immutable and never reused: how the task is addressed across users.",
    }),
    createdBy: z.uuid().nullable().meta({
      description: "The id of the user who created it; `null` once that account is deleted.",
    }),
    recurrence: z.string().nullable().meta({
      description:
        "An RFC 5545 RRULE (`FREQ=WEEKLY;BYDAY=MO`) started on the due date; `null` for a one-off task.",
    }),
    recurrenceText: z.string().nullable().meta({
      description: 'The rule in words, such as `"every week on Monday"`; `null` without one.',
    }),
  })
  .meta({ id: "Task", description: "A task you own.", example: TASK_EXAMPLE });
export type Task = z.infer<typeof Task>;

/** `POST /tasks` body. Unknown fields (`id`, `userId`, `version`…) are refused. */
export const TaskCreate = z
  .strictObject({
    title: Title,
    description: Description.optional(),
    dueDate: IsoDate.nullable().optional(),
    priority: Priority.optional(),
    tags: Tags.optional(),
    completed: z.boolean().optional(),
    projectId: ProjectNumber.nullable().optional().meta({
      description:
        "One of your projects (`/projects/{id}`, not deleted; archived ones too), or `null` for none. Any other number is refused (422 on `projectId`).",
    }),
    recurrence: Recurrence.nullable().optional(),
  })
  .meta({
    id: "TaskCreate",
    description: "A new task: only `title` is required. Unknown fields are refused (422).",
    example: { title: "Buy milk", dueDate: "2026-12-01", priority: "high", tags: ["home"] },
  });
export type TaskCreate = z.infer<typeof TaskCreate>;

/** `PATCH /tasks/:id` body: any subset; `null` clears `description` or `dueDate`. */
export const TaskUpdate = TaskCreate.partial().meta({
  id: "TaskUpdate",
  description:
    "Any subset of the editable fields; `null` clears `description` or `dueDate`. `completed` alone completes or reopens as `/complete` and `/reopen` do (a recurring task moves to its next date, or back).",
  example: { completed: true, dueDate: null },
});
export type TaskUpdate = z.infer<typeof TaskUpdate>;

/** `PUT /tasks/:id` body: the full editable state; omitted fields return to their defaults. */
export const TaskReplace = TaskCreate.meta({
  id: "TaskReplace",
  description:
    "The full editable state: `title` is required and omitted fields return to their defaults.",
  example: {
    title: "Buy oat milk",
    description: null,
    dueDate: "2026-12-02",
    priority: "medium",
    tags: ["home"],
    completed: false,
  },
});
export type TaskReplace = z.infer<typeof TaskReplace>;

/**
 * Fields a list can be sorted by; a leading `-` sorts descending. `deletedAt` orders the trash
 * (`deleted=true`) and only it.
 */
export const SORT_FIELDS = [
  "createdAt",
  "updatedAt",
  "dueDate",
  "priority",
  "title",
  "deletedAt",
] as const;
export const TaskSort = z
  .enum(SORT_FIELDS.flatMap((field) => [field, `-${field}`]) as [string, ...string[]])
  .meta({ description: "The field to sort by; a leading `-` sorts descending." });
export type TaskSort = `${"" | "-"}${(typeof SORT_FIELDS)[number]}`;

const oneOrMany = <T extends z.ZodType>(item: T, max: number) =>
  z.union([item.transform((value) => [value]), z.array(item).max(max, `at most ${max} values`)]);

const queryBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

/**
 * `GET /tasks` query. Values arrive as strings; `tag` may repeat (all must match). `page` selects
 * offset paging (with totals), `cursor` keyset paging; they cannot be combined.
 */
export const TaskListQuery = z
  .strictObject({
    status: z
      .enum(["all", "pending", "completed"])
      .default("all")
      .meta({ description: "`pending` (not completed), `completed`, or `all`." }),
    q: text().trim().min(1).max(200).optional().meta({
      description: "Case-insensitive text search in title and description.",
    }),
    // A task has at most MAX_TAGS tags, so requiring more can match nothing.
    tag: oneOrMany(Tag, MAX_TAGS)
      .optional()
      .meta({
        description:
          "Only tasks carrying this tag; repeat it (`tag=home&tag=errands`, up to 20 times) to require all of them.",
        // Documented as the array a client sends; the union above also accepts the single string
        // a lone `?tag=home` parses to.
        type: "array",
        items: { type: "string", minLength: 1, maxLength: TAG_MAX_LENGTH },
        maxItems: MAX_TAGS,
        param: { style: "form", explode: true },
      }),
    priority: Priority.optional(),
    dueBefore: IsoDate.optional().meta({ description: "Only tasks due on or before this date." }),
    dueAfter: IsoDate.optional().meta({ description: "Only tasks due on or after this date." }),
    project: z
      .union([z.literal("none").transform(() => null), ProjectId])
      .optional()
      .meta({
        description:
          "Only the tasks of this project (its number; archived projects too), or with `none` the tasks in no project. Without it, tasks of archived projects are left out.",
        type: "string",
        pattern: "^(none|[0-9]{1,10})$",
      }),
    overdue: queryBoolean.optional().meta({
      description: "`true`: only pending tasks due before today; `false`: only the others.",
    }),
    deleted: queryBoolean.default(false).meta({
      description:
        "`true`: the trash instead of your live tasks: the tasks you removed, most recently removed first (restore one with `POST /tasks/{id}/restore`). Only `sort=deletedAt` or `-deletedAt` goes with it.",
    }),
    sort: TaskSort.transform((value) => value as TaskSort)
      .optional()
      .meta({
        description:
          "The field to sort by; a leading `-` sorts descending. Default `-createdAt`, and `-deletedAt` in the trash.",
      }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .meta({ description: "Tasks per page, 1–100." }),
    page: z.coerce.number().int().min(1).max(1_000_000).optional().meta({
      description:
        "Offset paging: the page number, from 1. `meta` then carries `total` and `totalPages`.",
    }),
    cursor: text().min(1).max(1000).optional().meta({
      description:
        "Keyset paging: the `meta.nextCursor` of the previous page. Cannot be combined with `page`.",
    }),
  })
  .refine((query) => !(query.page !== undefined && query.cursor !== undefined), {
    message: "use either page or cursor, not both",
    path: ["cursor"],
  })
  .refine((query) => query.sort === undefined || query.deleted === /deletedAt$/.test(query.sort), {
    message: "deletedAt sorts the trash (deleted=true), and the trash sorts only by deletedAt",
    path: ["sort"],
  });
export type TaskListQuery = z.infer<typeof TaskListQuery>;

/** The sort a list uses when its query names none: newest first, or in the trash last removed first. */
export function defaultTaskSort(query: Pick<TaskListQuery, "deleted">): TaskSort {
  return query.deleted ? "-deletedAt" : "-createdAt";
}
/** The query as a client writes it (before defaults and coercion). */
export type TaskListParams = z.input<typeof TaskListQuery>;

/** `meta` of a list: totals in page mode; `nextCursor` (null on the last page) in both. */
export const TaskListMeta = z
  .object({
    limit: z.number().int(),
    total: z
      .number()
      .int()
      .optional()
      .meta({ description: "Page mode: tasks matching the filters." }),
    page: z.number().int().optional().meta({ description: "Page mode: this page's number." }),
    totalPages: z
      .number()
      .int()
      .optional()
      .meta({ description: "Page mode: the number of pages." }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for the next page; `null` on the last page." }),
  })
  .meta({ id: "TaskListMeta", description: "Paging information of a list." });
export type TaskListMeta = z.infer<typeof TaskListMeta>;

/** `GET /tasks` response. */
export const TaskList = z.object({ data: z.array(Task), meta: TaskListMeta }).meta({
  id: "TaskList",
  description: "A page of tasks.",
  example: {
    data: [TASK_EXAMPLE],
    meta: { limit: 20, total: 1, page: 1, totalPages: 1, nextCursor: null },
  },
});
export type TaskList = z.infer<typeof TaskList>;

/** The largest task number (PostgreSQL `integer`). */
export const MAX_TASK_ID = 2_147_483_647;

/**
 * A task number as it appears in a path (`/tasks/{id}`) or on a command line (`todo done 3`):
 * plain digits only, 1 to 2^31 − 1. Nothing is coerced: `0x10`, `1e1`, ` 1` or `+1` are refused
 * rather than read as numbers. Documented as an integer, which is how a client writes it.
 */
export const TaskId = numberId("task");
export type TaskId = z.infer<typeof TaskId>;
