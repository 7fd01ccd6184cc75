export { migrateLatest, migrateRollbackAll, openDatabase } from "./database.js";
export type { Database, DatabaseOptions, Statement } from "./database.js";
export { bindModels, BaseModel, IdempotencyKey, RefreshToken, Task, User } from "./models/index.js";
export type { Models, TaskRecord } from "./models/index.js";
export { isUniqueViolation, isCheckViolation } from "./errors.js";
export type { Knex } from "knex";
