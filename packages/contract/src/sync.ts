import { z } from "zod";
import { text } from "./common.js";
import { Project } from "./projects.js";
import { Task } from "./tasks.js";

/**
 * A sync token: where a client's copy of its tasks and projects stands, as `GET /sync` and the
 * event stream hand it out. Opaque to clients: store the last one received and send it back. It
 * is the owner's change sequence value (`"42"`), or, while a full sync is being paged, that value
 * and the last task number sent (`"42:17"`).
 */
export const SyncToken = text()
  .regex(/^\d{1,15}(:\d{1,10})?$/, { error: "must be a sync token this API issued" })
  .meta({
    description:
      "Opaque: the `token` of a previous sync (or the `id` of the last event received). Tokens older than the changes kept answer 410 `sync_token_expired`.",
  });
export type SyncToken = z.infer<typeof SyncToken>;

/** A sync token read into its parts (see {@link SyncToken}). */
export interface SyncPosition {
  /** The owner's change sequence value the client has everything up to. */
  readonly seq: number;
  /** While a full sync is paged: the last task number sent. */
  readonly afterTask?: number | undefined;
}

/** Reads a token {@link SyncToken} accepted; `undefined` for anything else. */
export function parseSyncToken(token: string): SyncPosition | undefined {
  const match = /^(\d{1,15})(?::(\d{1,10}))?$/.exec(token);
  if (!match?.[1]) return undefined;
  return {
    seq: Number(match[1]),
    afterTask: match[2] === undefined ? undefined : Number(match[2]),
  };
}

/** A deleted task or project, as a sync or an event reports it: its number and `deleted: true`. */
export const Tombstone = z
  .strictObject({
    id: z.number().int().positive().meta({ description: "The task or project number." }),
    deleted: z.literal(true),
  })
  .meta({
    id: "Tombstone",
    description: "A task or project that was deleted (or is in the trash): drop your copy.",
    example: { id: 3, deleted: true },
  });
export type Tombstone = z.infer<typeof Tombstone>;

/** `GET /sync` query. */
export const SyncQuery = z.strictObject({
  since: SyncToken.optional().meta({
    description: "Without it, the full live state; with it, what changed after it.",
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(500)
    .meta({ description: "Most resources per page (tasks and projects), 1–1000." }),
});
export type SyncQuery = z.infer<typeof SyncQuery>;
/** The query as a client writes it (before defaults and coercion). */
export type SyncParams = z.input<typeof SyncQuery>;

/** `GET /sync` response. */
export const SyncResult = z
  .object({
    tasks: z.array(z.union([Task, Tombstone])).meta({
      description: "Tasks changed after `since` (each once, as it now is), or every live task.",
    }),
    projects: z.array(z.union([Project, Tombstone])).meta({
      description: "Projects changed after `since`, or every live project (archived ones too).",
    }),
    token: SyncToken,
    more: z.boolean().meta({
      description: "True when this is not the last page: sync again at once with `since=token`.",
    }),
  })
  .meta({
    id: "SyncResult",
    description: "A page of changes, and the token to ask for the next ones with.",
    example: { tasks: [{ id: 3, deleted: true }], projects: [], token: "42", more: false },
  });
export type SyncResult = z.infer<typeof SyncResult>;

/** The events of the stream (`event:` field), one per change of a task or project. */
export const LIVE_EVENT_TYPES = [
  "task.created",
  "task.updated",
  "task.deleted",
  "task.restored",
  "project.created",
  "project.updated",
  "project.deleted",
  "project.restored",
] as const;

/** An event type ({@link LIVE_EVENT_TYPES}). */
export const LiveEventType = z.enum(LIVE_EVENT_TYPES);
export type LiveEventType = z.infer<typeof LiveEventType>;

/**
 * One event of `GET /events`: its type, its `id` (the sync token after it: send it back as
 * `Last-Event-ID`, or as `since` to `GET /sync`), and as `data` the task or project as it is when
 * the event is sent, or a {@link Tombstone} for a deletion.
 */
export const LiveEvent = z
  .object({
    type: LiveEventType,
    id: SyncToken,
    data: z.union([Task, Project, Tombstone]),
  })
  .meta({ id: "LiveEvent", description: "One change, as the event stream sends it." });
export type LiveEvent = z.infer<typeof LiveEvent>;

/** `GET /events` request headers. */
export const EventsHeaders = z.object({
  "Last-Event-ID": SyncToken.optional().meta({
    description:
      "Resumes after this event (the `id:` of the last event received): every change since is sent, none twice.",
  }),
});
