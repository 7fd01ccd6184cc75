import { z } from "zod";
import { text, Timestamp } from "./common.js";

/** The largest per-user number of a task or a project (PostgreSQL `integer`). */
const MAX_NUMBER = 2_147_483_647;

/**
 * A per-user number (`what`: "task" or "project") as it appears in a path (`/tasks/{id}`) or on a
 * command line: plain digits only, 1 to 2^31 − 1. Nothing is coerced: `0x10`, `1e1`, ` 1` or
 * `+1` are refused rather than read as numbers. Documented as an integer, which is how a client
 * writes it.
 */
export function numberId(what: string) {
  const error = `must be a ${what} number`;
  return z
    .string()
    .regex(/^\d{1,10}$/, { error })
    .transform(Number)
    .pipe(z.number().int().min(1, { error }).max(MAX_NUMBER, { error }))
    .meta({
      description: `Your ${what} number.`,
      type: "integer",
      minimum: 1,
      maximum: MAX_NUMBER,
      example: 1,
    });
}

/** A project number in a path (`/projects/{id}`), as {@link numberId} reads it. */
export const ProjectId = numberId("project");
export type ProjectId = z.infer<typeof ProjectId>;

/** A project number in a JSON body (`projectId` of a task): an integer, 1 to 2^31 − 1. */
export const ProjectNumber = z
  .number({ error: "must be a project number" })
  .int({ error: "must be a project number" })
  .min(1, { error: "must be a project number" })
  .max(MAX_NUMBER, { error: "must be a project number" });

/** The longest project name, in characters. */
export const PROJECT_NAME_MAX_LENGTH = 100;

/** A project name: trimmed, 1–100 characters, no NUL; unique among your projects whatever the case. */
export const ProjectName = text()
  .trim()
  .min(1, "must not be blank")
  .max(PROJECT_NAME_MAX_LENGTH, `must be at most ${PROJECT_NAME_MAX_LENGTH} characters`)
  .meta({
    description:
      "Trimmed; 1–100 characters; unique among your projects (not deleted), whatever the case.",
    example: "Home",
  });

const PROJECT_EXAMPLE = {
  id: 2,
  uid: "7d1e3b9a-64c2-4f0b-8a55-2c9e0f1b3d77",
  name: "Home",
  archived: false,
  openTasks: 4,
  version: 1,
  createdBy: "5f0c6a9e-2d41-4b8e-b7b3-9a1d2e3f4c50",
  createdAt: "2026-11-21T10:00:00.000Z",
  updatedAt: "2026-11-21T10:00:00.000Z",
} as const;

/** The project resource every project endpoint returns. `version` is also the ETag. */
export const Project = z
  .object({
    id: z
      .number()
      .int()
      .positive()
      .meta({ description: "Your project number: 1, 2, 3 … per user, never reused." }),
    uid: z.uuid().meta({
      description: "Immutable and never reused: how the project is addressed across users.",
    }),
    name: z.string(),
    archived: z.boolean().meta({
      description:
        "Archived projects are left out of `GET /projects` and their tasks out of `GET /tasks`, unless named.",
    }),
    openTasks: z
      .number()
      .int()
      .min(0)
      .meta({ description: "Its tasks that are pending and not deleted." }),
    version: z
      .number()
      .int()
      .positive()
      .meta({ description: 'Bumped on every change; also the `ETag` (`"2"`).' }),
    createdBy: z.uuid().nullable().meta({
      description: "The id of the user who created it; `null` once that account is deleted.",
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Project", description: "A project you own.", example: PROJECT_EXAMPLE });
export type Project = z.infer<typeof Project>;

/** `POST /projects` body. */
export const ProjectCreate = z.strictObject({ name: ProjectName }).meta({
  id: "ProjectCreate",
  description: "A new project. Unknown fields are refused (422).",
  example: { name: "Home" },
});
export type ProjectCreate = z.infer<typeof ProjectCreate>;

/** `PATCH /projects/:id` body: a new name. */
export const ProjectUpdate = z.strictObject({ name: ProjectName }).meta({
  id: "ProjectUpdate",
  description: "Renames the project. Unknown fields are refused (422).",
  example: { name: "House" },
});
export type ProjectUpdate = z.infer<typeof ProjectUpdate>;

/** `GET /projects` query: live projects by name, with keyset paging. */
export const ProjectListQuery = z
  .strictObject({
    archived: z
      .enum(["false", "true", "all"])
      .default("false")
      .meta({ description: "`false` (default): active projects; `true`: archived ones; `all`." }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .meta({ description: "Projects per page, 1–100." }),
    cursor: text().min(1).max(1000).optional().meta({
      description: "Keyset paging: the `meta.nextCursor` of the previous page.",
    }),
  })
  .meta({ description: "Projects are sorted by name, case-insensitively." });
export type ProjectListQuery = z.infer<typeof ProjectListQuery>;
/** The query as a client writes it (before defaults and coercion). */
export type ProjectListParams = z.input<typeof ProjectListQuery>;

/** `GET /projects` response. */
export const ProjectList = z
  .object({
    data: z.array(Project),
    meta: z.object({
      limit: z.number().int(),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: "Pass as `cursor` for the next page; `null` on the last page." }),
    }),
  })
  .meta({
    id: "ProjectList",
    description: "A page of projects, by name.",
    example: { data: [PROJECT_EXAMPLE], meta: { limit: 20, nextCursor: null } },
  });
export type ProjectList = z.infer<typeof ProjectList>;
