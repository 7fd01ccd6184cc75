export { migrateLatest, migrateRollbackAll, openDatabase } from "./database.js";
export type { Database, DatabaseOptions, PoolStats } from "./database.js";
export type { ObservedStatement, Statement, StatementObserver } from "./connection.js";
export type { Tables } from "./tables/index.js";
export type { ConnectionHandler, Listener, NotificationHandler } from "./listener.js";
export {
  TASK_ORDERS,
  taskStatements,
  type ChangeCondition,
  type NewTask,
  type TaskChangeOutcome,
  type TaskChanges,
  type TaskFilter,
  type TaskOrder,
  type TaskOrderDefinition,
  type TaskPage,
  type TaskRow,
  type TasksTable,
} from "./tables/tasks.js";
export {
  CHANGES_CHANNEL,
  changeStatements,
  type ChangeEvent,
  type ChangeKind,
  type ChangePosition,
  type ChangeRow,
  type ChangesTable,
  type LatestChange,
} from "./tables/changes.js";
export {
  PROJECT_ORDER,
  projectStatements,
  type ListedProjectRow,
  type ProjectChanges,
  type ProjectFilter,
  type ProjectLookup,
  type ProjectPage,
  type ProjectRow,
  type ProjectsTable,
} from "./tables/projects.js";
export {
  userStatements,
  type NewUser,
  type UserChanges,
  type UserRecord,
  type UserRow,
  type UsersTable,
} from "./tables/users.js";
export {
  refreshTokenStatements,
  type NewRefreshToken,
  type RefreshTokenRow,
  type RefreshTokensTable,
} from "./tables/refresh-tokens.js";
export type { IdempotencyKeyRow, IdempotencyKeysTable } from "./tables/idempotency-keys.js";
export type { RateLimitsTable, SharedLimit } from "./tables/rate-limits.js";
export { isCheckViolation, isDatabaseUnavailable, isUniqueViolation } from "./errors.js";
export { DISTRIBUTION, type Distribution } from "./distribution.js";
