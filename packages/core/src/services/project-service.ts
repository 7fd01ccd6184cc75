import { z } from "zod";
import {
  isUniqueViolation,
  type Database,
  type ListedProjectRow,
  type ProjectRow,
  type Tables,
} from "@todo/db";
import type {
  Project,
  ProjectCreate,
  ProjectList,
  ProjectListQuery,
  ProjectUpdate,
} from "@todo/contract";
import { ownerOf, projectFor } from "../access.js";
import { DomainError, preconditionFailed, unauthorized } from "../errors.js";
import type { Actor } from "./auth-service.js";
import type { WriteOptions } from "./task-service.js";

/** Maps a `projects` row and its open-task count to the {@link Project} resource. */
export function toProject(row: ProjectRow, openTasks: number): Project {
  return {
    id: row.id,
    uid: row.uid,
    name: row.name,
    archived: row.archived_at !== null,
    openTasks,
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A keyset cursor of a project list: the last project's case-folded name. */
const CursorPayload = z.tuple([z.literal("p"), z.string().max(400)]);

/** 409 `project_name_taken`: another live project of the owner has this name (whatever the case). */
const nameTaken = (name: string) =>
  new DomainError(
    "project_name_taken",
    `You already have a project named "${name}" (names are compared ignoring case). Choose another name, or use that project.`,
  );

/**
 * Projects: named lists of a user's tasks (DESIGN §7). Every method reaches projects through the
 * access rule (`access.ts`): another user's project is indistinguishable from a missing one (404).
 * Writes lock the project row and decide on it inside one transaction, so what is answered (stale,
 * unchanged or changed) rests on one state; deleting and restoring a project move its tasks in
 * the same transaction.
 */
export class ProjectService {
  constructor(private readonly db: Database) {}

  /**
   * Creates a project numbered with the owner's next sequential id.
   * @throws {DomainError} `project_name_taken` (409); `unauthorized` when the user no longer exists.
   */
  async create(actor: Actor, input: ProjectCreate): Promise<Project> {
    const row = await this.named(input.name, () =>
      this.db.projects.create(ownerOf(actor), input.name),
    );
    if (!row) throw unauthorized("This account no longer exists.", "invalid");
    return toProject(row, 0);
  }

  /**
   * Lists the caller's projects by name, case-insensitively: active ones (`archived=false`),
   * archived ones, or all, with keyset paging.
   * @throws {DomainError} `validation_failed` for a cursor this API did not issue.
   */
  async list(actor: Actor, query: ProjectListQuery): Promise<ProjectList> {
    const archived = query.archived === "all" ? undefined : query.archived === "true";
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.db.projects.list(
      ownerOf(actor),
      { archived },
      { limit: query.limit + 1, after },
    );
    const data = rows.slice(0, query.limit);
    const counts = await this.db.tasks.openCounts(
      ownerOf(actor),
      data.map((row) => row.id),
    );
    const last = data.at(-1);
    return {
      data: data.map((row) => toProject(row, counts.get(row.id) ?? 0)),
      meta: {
        limit: query.limit,
        nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
      },
    };
  }

  /**
   * Reads one of the caller's projects (archived ones too).
   * @throws {DomainError} `not_found` (404), also for another user's project.
   */
  async get(actor: Actor, id: number): Promise<Project> {
    return this.withCount(this.db, await projectFor(this.db, actor, id));
  }

  /**
   * Renames a project. The same name (exactly) changes nothing.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412); `project_name_taken` (409).
   */
  async rename(
    actor: Actor,
    id: number,
    input: ProjectUpdate,
    options: WriteOptions = {},
  ): Promise<Project> {
    return this.write(actor, id, options, (row) =>
      row.name === input.name ? undefined : { name: input.name },
    );
  }

  /**
   * Archives a project (`archived` true) or makes it active again. Idempotent: a project already
   * so is returned unchanged.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412).
   */
  async setArchived(
    actor: Actor,
    id: number,
    archived: boolean,
    options: WriteOptions = {},
  ): Promise<Project> {
    return this.write(actor, id, options, (row) =>
      (row.archived_at !== null) === archived ? undefined : { archived },
    );
  }

  /**
   * Deletes a project (soft) and, in the same transaction, its live tasks, marked as deleted with
   * it; {@link ProjectService.restore} brings back exactly those.
   * @throws {DomainError} `not_found` (404); `precondition_failed` (412).
   */
  async remove(actor: Actor, id: number, options: WriteOptions = {}): Promise<void> {
    await this.db.transaction(async (tables) => {
      const row = await projectFor(tables, actor, id, { lock: "update" });
      checkVersion(row, options);
      await tables.projects.update(row.user_id, row.id, { removed: true });
      await tables.tasks.removeWithProject(row.user_id, row.id);
    });
  }

  /**
   * Undoes the deletion of a project and, in the same transaction, of exactly the tasks deleted
   * with it. Restoring a live project returns it unchanged.
   * @throws {DomainError} `not_found` (404); `project_name_taken` (409) when a live project now
   *   has its name.
   */
  async restore(actor: Actor, id: number): Promise<Project> {
    return this.db.transaction(async (tables) => {
      const row = await projectFor(tables, actor, id, { includeRemoved: true, lock: "update" });
      if (row.deleted_at === null) return this.withCount(tables, row);
      const restored = await this.named(row.name, () =>
        tables.projects.update(row.user_id, row.id, { removed: false }),
      );
      await tables.tasks.restoreWithProject(row.user_id, row.id);
      return this.withCount(tables, restored!);
    });
  }

  /**
   * One change decided on the locked row: 412 when `ifMatch` names another version, the project
   * untouched when `change` finds nothing to do, else the changed project.
   */
  private async write(
    actor: Actor,
    id: number,
    options: WriteOptions,
    change: (row: ProjectRow) => { name?: string; archived?: boolean } | undefined,
  ): Promise<Project> {
    return this.db.transaction(async (tables) => {
      const row = await projectFor(tables, actor, id, { lock: "update" });
      checkVersion(row, options);
      const changes = change(row);
      if (!changes) return this.withCount(tables, row);
      const changed = await this.named(changes.name ?? row.name, () =>
        tables.projects.update(row.user_id, row.id, changes),
      );
      return this.withCount(tables, changed!);
    });
  }

  private async withCount(tables: Tables, row: ProjectRow): Promise<Project> {
    const counts = await tables.tasks.openCounts(row.user_id, [row.id]);
    return toProject(row, counts.get(row.id) ?? 0);
  }

  /** Runs a write that gives a project `name`, turning the unique index's refusal into a 409. */
  private async named<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(name);
      throw error;
    }
  }
}

/** 412 unless `ifMatch` is absent or the project's version. */
function checkVersion(row: ProjectRow, options: WriteOptions): void {
  if (options.ifMatch !== undefined && options.ifMatch !== row.version)
    throw preconditionFailed(row.version, "project");
}

function encodeCursor(row: ListedProjectRow): string {
  return Buffer.from(JSON.stringify(["p", row.sort_key])).toString("base64url");
}

function decodeCursor(cursor: string): string {
  try {
    const [, name] = CursorPayload.parse(
      JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")),
    );
    if (!name.includes("\u0000")) return name;
  } catch {
    // Falls through to the refusal below.
  }
  throw new DomainError(
    "validation_failed",
    "The cursor is not valid for this list. Start again without a cursor.",
    { errors: [{ path: "cursor", message: "is not a cursor this API issued for this list" }] },
  );
}
