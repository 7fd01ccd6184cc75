import { Model, snakeCaseMappers } from "objection";

/** Base of every model: camelCase in TypeScript, snake_case in SQL. */
export class BaseModel extends Model {
  static override get columnNameMappers() {
    return snakeCaseMappers();
  }
  // Shapes are validated by the zod contract in @todo/core before they reach a model.
  static override useLimitInFirst = true;
}
