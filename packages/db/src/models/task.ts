import { BaseModel } from "./base.js";

/** A row of `tasks`, keyed by `(userId, id)`: `id` is the owner's own sequential number. */
export class Task extends BaseModel {
  static override tableName = "tasks";
  static override idColumn = ["user_id", "id"];

  userId!: string;
  id!: number;
  title!: string;
  description!: string | null;
  completed!: boolean;
  completedAt!: Date | null;
  /** `YYYY-MM-DD`, no time zone. */
  dueDate!: string | null;
  /** 0 none, 1 low, 2 medium, 3 high. */
  priority!: number;
  tags!: string[];
  /** Bumped on every change; the ETag. */
  version!: number;
  createdAt!: Date;
  updatedAt!: Date;
  deletedAt!: Date | null;
}

/**
 * A `tasks` row as knex returns it, before any model: snake_case columns, timestamps as `Date`,
 * `due_date` as `YYYY-MM-DD` text. The task service reads and writes tasks through plain knex (a
 * model instance per row cost more CPU than the query; see bench/), so this is the shape it maps.
 */
export interface TaskRecord {
  readonly user_id: string;
  readonly id: number;
  readonly title: string;
  readonly description: string | null;
  readonly completed: boolean;
  readonly completed_at: Date | null;
  readonly due_date: string | null;
  /** 0 none, 1 low, 2 medium, 3 high. */
  readonly priority: number;
  readonly tags: string[];
  readonly version: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly deleted_at: Date | null;
}
