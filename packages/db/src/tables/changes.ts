// The `changes` table: the log of every change to a user's tasks and projects, numbered by the
// owner's change sequence (`users.change_seq`), which sync tokens and event ids are values of.
// Rows are written by the database itself, from triggers on `tasks` and `projects`, in the
// transaction of each change (migration 20261221000001_changes); this module reads and prunes
// them. Every statement names the owner.
import { sql, type Connection, type Statement } from "../connection.js";

/** The notification channel of changes; payload: the owner's user id, sent at commit. */
export const CHANGES_CHANNEL = "todo_changes";

/** What a change is to: a task or a project, by the owner's number for it. */
export type ChangeKind = "task" | "project";

/** What happened: a resource created, updated, moved to the trash, or brought back from it. */
export type ChangeEvent = "created" | "updated" | "deleted" | "restored";

/** One recorded change. */
export interface ChangeRow {
  /** The owner's sequence value it took: 1, 2, 3 … per user, in commit order per user. */
  readonly seq: number;
  readonly kind: ChangeKind;
  /** The owner's task or project number. */
  readonly resourceId: number;
  readonly event: ChangeEvent;
}

/** The latest change of one resource after a position: which resource, and its sequence value. */
export interface LatestChange {
  readonly seq: number;
  readonly kind: ChangeKind;
  readonly resourceId: number;
}

/** Where an owner's log stands: its last value, and the oldest a token may still name. */
export interface ChangePosition {
  /** The owner's last sequence value (0 before any change). */
  readonly seq: number;
  /** Changes at or below this were pruned: a position below it cannot be served. */
  readonly floor: number;
}

interface RawChange {
  seq: string;
  kind: ChangeKind;
  resource_id: number;
  event: ChangeEvent;
}

/** The statements of the table, as text and values. */
export const changeStatements = {
  /** The owner's position ({@link ChangePosition}); no row when the owner does not exist. */
  position(ownerId: string): Statement<{ seq: string; floor: string }> {
    return sql(
      "SELECT change_seq::text AS seq, change_floor::text AS floor FROM users WHERE id = $1",
      [ownerId],
    );
  },

  /** The owner's changes after `after`, in sequence order, at most `limit`. */
  after(ownerId: string, after: number, limit: number): Statement<RawChange> {
    return sql(
      `SELECT seq::text AS seq, kind, resource_id, event FROM changes
       WHERE user_id = $1 AND seq > $2 ORDER BY changes.seq LIMIT $3`,
      [ownerId, after, limit],
    );
  },

  /**
   * Each resource the owner changed after `after`, once, with its latest sequence value, in the
   * order of those values, at most `limit`.
   */
  latest(ownerId: string, after: number, limit: number): Statement<RawChange> {
    return sql(
      `SELECT max(seq)::text AS seq, kind, resource_id, '' AS event FROM changes
       WHERE user_id = $1 AND seq > $2 GROUP BY kind, resource_id ORDER BY max(seq) LIMIT $3`,
      [ownerId, after, limit],
    );
  },

  /**
   * Deletes every change recorded before `before`, raising each owner's floor to the last value
   * deleted, in one statement.
   */
  prune(before: Date): Statement<never> {
    return sql(
      `WITH pruned AS (DELETE FROM changes WHERE created_at < $1 RETURNING user_id, seq)
       UPDATE users SET change_floor = greatest(users.change_floor, p.seq)
       FROM (SELECT user_id, max(seq) AS seq FROM pruned GROUP BY user_id) p
       WHERE users.id = p.user_id`,
      [before],
    );
  },
};

/** The one way to read the `changes` table. */
export interface ChangesTable {
  /** See {@link changeStatements.position}; `undefined` when the owner does not exist. */
  position(ownerId: string): Promise<ChangePosition | undefined>;
  /** See {@link changeStatements.after}. */
  after(ownerId: string, after: number, limit: number): Promise<ChangeRow[]>;
  /** See {@link changeStatements.latest}. */
  latest(ownerId: string, after: number, limit: number): Promise<LatestChange[]>;
  /** See {@link changeStatements.prune}; resolves to the number of owners whose floor rose. */
  prune(before: Date): Promise<number>;
}

const toChange = (row: RawChange): ChangeRow => ({
  seq: Number(row.seq),
  kind: row.kind,
  resourceId: row.resource_id,
  event: row.event,
});

/** The `changes` table over `connection`. */
export function changesTable(connection: Connection): ChangesTable {
  return {
    async position(ownerId) {
      const [row] = await connection.rows(changeStatements.position(ownerId));
      return row && { seq: Number(row.seq), floor: Number(row.floor) };
    },
    after: async (ownerId, after, limit) =>
      (await connection.rows(changeStatements.after(ownerId, after, limit))).map(toChange),
    latest: async (ownerId, after, limit) =>
      (await connection.rows(changeStatements.latest(ownerId, after, limit))).map(
        ({ seq, kind, resource_id }) => ({ seq: Number(seq), kind, resourceId: resource_id }),
      ),
    prune: (before) => connection.affected(changeStatements.prune(before)),
  };
}
