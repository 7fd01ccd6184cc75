import { sql, type Connection } from "../connection.js";
import { changesTable, type ChangesTable } from "./changes.js";
import { projectsTable, type ProjectsTable } from "./projects.js";
import { idempotencyKeysTable, type IdempotencyKeysTable } from "./idempotency-keys.js";
import { rateLimitsTable, type RateLimitsTable } from "./rate-limits.js";
import { refreshTokensTable, type RefreshTokensTable } from "./refresh-tokens.js";
import { tasksTable, type TasksTable } from "./tasks.js";
import { usersTable, type UsersTable } from "./users.js";

/** Every table, each through its one module, over one connection (the pool or a transaction). */
export interface Tables {
  readonly users: UsersTable;
  readonly tasks: TasksTable;
  readonly projects: ProjectsTable;
  readonly changes: ChangesTable;
  readonly refreshTokens: RefreshTokensTable;
  readonly idempotencyKeys: IdempotencyKeysTable;
  readonly rateLimits: RateLimitsTable;
  /**
   * Sends `payload` (text, under 8000 bytes) on `channel` to every process listening to it
   * (`Database.listener`), with `pg_notify`. Inside a transaction it is delivered when the
   * transaction commits, and never if it rolls back; identical notifications of one transaction
   * are delivered once (PostgreSQL's NOTIFY). Rejects on a payload too long.
   */
  notify(channel: string, payload: string): Promise<void>;
}

/** The table modules over `connection`. */
export function bindTables(connection: Connection): Tables {
  return {
    users: usersTable(connection),
    tasks: tasksTable(connection),
    projects: projectsTable(connection),
    changes: changesTable(connection),
    refreshTokens: refreshTokensTable(connection),
    idempotencyKeys: idempotencyKeysTable(connection),
    rateLimits: rateLimitsTable(connection),
    notify: async (channel, payload) => {
      await connection.rows(sql("SELECT pg_notify($1, $2)", [channel, payload]));
    },
  };
}
