import { BaseModel } from "./base.js";

/** A row of `idempotency_keys`: the first response to a keyed POST, kept 24 h. */
export class IdempotencyKey extends BaseModel {
  static override tableName = "idempotency_keys";
  static override idColumn = ["user_id", "key"];

  userId!: string;
  key!: string;
  /** SHA-256 of method, path and body; another body under the same key is refused. */
  fingerprint!: string;
  /** Null while the first request is still running. */
  responseStatus!: number | null;
  responseHeaders!: Record<string, string> | null;
  responseBody!: unknown;
  createdAt!: Date;
}
