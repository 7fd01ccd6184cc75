import type { ChangeRow, Database, ProjectRow } from "@todo/db";
import {
  parseSyncToken,
  type LiveEvent,
  type Project,
  type SyncQuery,
  type SyncResult,
  type Task,
  type Tombstone,
} from "@todo/contract";
import { ownerOf } from "../access.js";
import { DomainError, unauthorized } from "../errors.js";
import type { Actor } from "./auth-service.js";
import { toProject } from "./project-service.js";
import { toTask } from "./task-service.js";

/** 410 `sync_token_expired`: the token names changes no longer kept (or none this account made). */
export const syncTokenExpired = () =>
  new DomainError(
    "sync_token_expired",
    "This sync token cannot be served: it is older than the changes kept, or not one this account was given. Sync again without a token for the full state.",
  );

const tombstone = (id: number): Tombstone => ({ id, deleted: true });

/** A live event with the sequence value it carries as its id. */
export interface SequencedEvent extends LiveEvent {
  readonly seq: number;
}

/**
 * Delta sync over the change log (DESIGN §9): every change to a user's tasks and projects takes
 * the owner's next change sequence value in its own transaction (the database records it), and a
 * sync token is such a value. A sync answers what changed after a token, each resource once as it
 * now is, deletions as tombstones; without a token, the full live state.
 *
 * Tokens are per owner and in commit order: a change's value is taken under the owner's row lock,
 * held until its transaction ends, so once a value is visible every lower one is too.
 */
export class SyncService {
  constructor(private readonly db: Database) {}

  /**
   * A page of the caller's changes after `query.since` (or, without it, of the full live state,
   * projects on the first page and tasks by number), at most `query.limit` resources; `more` says
   * to ask again at once with the returned token.
   * @throws {DomainError} `sync_token_expired` (410) for a token older than the changes kept, or
   *   ahead of the caller's changes (not one of this account's); `unauthorized` when the account
   *   no longer exists.
   */
  async sync(actor: Actor, query: SyncQuery): Promise<SyncResult> {
    const owner = ownerOf(actor);
    const start = await this.checked(actor, query.since);
    if (query.since === undefined || start.afterTask !== undefined) {
      const afterTask = start.afterTask ?? 0;
      const projects = afterTask === 0 ? await this.db.projects.live(owner) : [];
      const rows = await this.db.tasks.liveAfter(owner, afterTask, query.limit + 1);
      const tasks = rows.slice(0, query.limit);
      const more = rows.length > query.limit;
      return {
        tasks: tasks.map(toTask),
        projects: await this.projectsOf(owner, projects),
        token: more ? `${start.seq}:${tasks.at(-1)!.id}` : String(start.seq),
        more,
      };
    }
    const latest = await this.db.changes.latest(owner, start.seq, query.limit + 1);
    const page = latest.slice(0, query.limit);
    const more = latest.length > query.limit;
    const ids = (kind: ChangeRow["kind"]) =>
      page.filter((change) => change.kind === kind).map((change) => change.resourceId);
    const resources = await this.resources(owner, ids("task"), ids("project"));
    const last = page.at(-1)?.seq ?? start.seq;
    return {
      tasks: ids("task").map((id) => resources.task(id)),
      projects: ids("project").map((id) => resources.project(id)),
      token: String(more ? last : Math.max(last, start.position)),
      more,
    };
  }

  /**
   * Where a stream of the caller's events starts: after `lastEventId` (a token it sent), or from
   * the caller's current position.
   * @throws {DomainError} `sync_token_expired` (410); `unauthorized` when the account is gone.
   */
  async streamStart(actor: Actor, lastEventId: string | undefined): Promise<number> {
    const start = await this.checked(actor, lastEventId);
    if (start.afterTask !== undefined) throw syncTokenExpired();
    return start.seq;
  }

  /**
   * The caller's events after sequence value `after`, in order, at most `limit`: each change as
   * an event whose id is its value and whose data is the resource as it now is (a tombstone for
   * a deletion, or for a resource gone with its account).
   */
  async eventsAfter(userId: string, after: number, limit: number): Promise<SequencedEvent[]> {
    const changes = await this.db.changes.after(userId, after, limit);
    const ids = (kind: ChangeRow["kind"]) => [
      ...new Set(changes.filter((change) => change.kind === kind).map((c) => c.resourceId)),
    ];
    const resources = await this.resources(userId, ids("task"), ids("project"));
    return changes.map((change) => ({
      seq: change.seq,
      id: String(change.seq),
      type: `${change.kind}.${change.event}`,
      data:
        change.event === "deleted"
          ? tombstone(change.resourceId)
          : resources[change.kind](change.resourceId),
    }));
  }

  /**
   * Forgets the changes recorded before `before` (every owner's): a token older than what is
   * kept then answers 410. Resolves to the number of owners whose oldest servable token rose.
   */
  async prune(before: Date): Promise<number> {
    return this.db.changes.prune(before);
  }

  /**
   * The token read and checked against the caller's log: its value must lie between the oldest
   * kept and the latest. `position` is the caller's latest value; `seq` the token's (without a
   * token: the latest).
   */
  private async checked(
    actor: Actor,
    token: string | undefined,
  ): Promise<{ seq: number; afterTask?: number | undefined; position: number }> {
    const position = await this.db.changes.position(actor.userId);
    if (!position) throw unauthorized("This account no longer exists.", "invalid");
    if (token === undefined) return { seq: position.seq, position: position.seq };
    const parsed = parseSyncToken(token);
    if (!parsed || parsed.seq < position.floor || parsed.seq > position.seq)
      throw syncTokenExpired();
    return { ...parsed, position: position.seq };
  }

  /** The owner's tasks and projects by number, as resources (tombstones when deleted or gone). */
  private async resources(
    owner: string,
    taskIds: readonly number[],
    projectIds: readonly number[],
  ): Promise<{ task(id: number): Task | Tombstone; project(id: number): Project | Tombstone }> {
    const [tasks, projects] = await Promise.all([
      this.db.tasks.many(owner, taskIds),
      this.db.projects.many(owner, projectIds),
    ]);
    const liveTasks = new Map(
      tasks.filter((row) => row.deleted_at === null).map((row) => [row.id, toTask(row)]),
    );
    const liveProjects = new Map(
      (
        await this.projectsOf(
          owner,
          projects.filter((row) => row.deleted_at === null),
        )
      ).map((project) => [project.id, project]),
    );
    return {
      task: (id) => liveTasks.get(id) ?? tombstone(id),
      project: (id) => liveProjects.get(id) ?? tombstone(id),
    };
  }

  private async projectsOf(owner: string, rows: readonly ProjectRow[]): Promise<Project[]> {
    const counts = await this.db.tasks.openCounts(
      owner,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toProject(row, counts.get(row.id) ?? 0));
  }
}
