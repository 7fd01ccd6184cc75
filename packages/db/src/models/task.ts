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
