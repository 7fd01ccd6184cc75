import type { Knex } from "knex";
import { IdempotencyKey } from "./idempotency-key.js";
import { RefreshToken } from "./refresh-token.js";
import { Task } from "./task.js";
import { User } from "./user.js";

export { BaseModel } from "./base.js";
export { IdempotencyKey, RefreshToken, Task, User };
export type { TaskRecord } from "./task.js";

/** The model classes, each bound to one knex instance (never a process-global `Model.knex()`). */
export interface Models {
  readonly User: typeof User;
  readonly Task: typeof Task;
  readonly RefreshToken: typeof RefreshToken;
  readonly IdempotencyKey: typeof IdempotencyKey;
}

/** Binds every model to `knex`. */
export function bindModels(knex: Knex): Models {
  return {
    User: User.bindKnex(knex),
    Task: Task.bindKnex(knex),
    RefreshToken: RefreshToken.bindKnex(knex),
    IdempotencyKey: IdempotencyKey.bindKnex(knex),
  };
}
