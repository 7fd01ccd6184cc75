// The access rule, in one place. Today a user reaches exactly their own projects and tasks: every
// row is keyed by its owner, and the owner is the acting user. When projects are shared, this is
// where "owner" grows into "member with a role": the services ask here and nowhere else.
import type { ProjectLookup, ProjectRow, Tables } from "@todo/db";
import { DomainError, notFound } from "./errors.js";
import type { Actor } from "./services/auth-service.js";

/**
 * The owner under whose key `actor`'s tasks and projects are stored: the `user_id` every statement
 * of a service names.
 */
export function ownerOf(actor: Actor): string {
  return actor.userId;
}

/**
 * The project `id` as `actor` may reach it (today: only their own), read per `lookup` (live by
 * default; lock it inside a transaction). Another user's project is exactly a missing one.
 * @throws {DomainError} `not_found` (404).
 */
export async function projectFor(
  tables: Tables,
  actor: Actor,
  id: number,
  lookup: ProjectLookup = {},
): Promise<ProjectRow> {
  const row = await tables.projects.find(ownerOf(actor), id, lookup);
  if (!row) throw notFound(`Project ${id}`);
  return row;
}

/** The live project `actor` may reach (today: their own) called `name`, whatever the case. */
export async function projectNamed(
  tables: Tables,
  actor: Actor,
  name: string,
): Promise<ProjectRow | undefined> {
  return tables.projects.named(ownerOf(actor), name);
}

/**
 * Checks that a task of `actor` may be put into project `id` (live; archived ones too), and holds
 * the project (a share lock) until the transaction that writes the task ends, so it cannot be
 * deleted in between. A project the caller cannot reach is refused exactly like a missing one.
 * @throws {DomainError} `validation_failed` (422) on `projectId`.
 */
export async function projectForTask(tables: Tables, actor: Actor, id: number): Promise<void> {
  const row = await tables.projects.find(ownerOf(actor), id, { lock: "share" });
  if (!row) {
    throw new DomainError(
      "validation_failed",
      `Invalid body: projectId ${id} is not one of your projects.`,
      { errors: [{ path: "projectId", message: "is not one of your projects" }] },
    );
  }
}
