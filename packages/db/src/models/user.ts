import { BaseModel } from "./base.js";

/** A row of `users`. `email` is stored trimmed and lower-cased. */
export class User extends BaseModel {
  static override tableName = "users";

  id!: string;
  email!: string;
  name!: string | null;
  /** argon2id PHC string; null for users from an external identity provider. */
  passwordHash!: string | null;
  externalIssuer!: string | null;
  externalSubject!: string | null;
  /** The last task number given out to this user (per-user sequence). */
  taskSeq!: string;
  createdAt!: Date;
  updatedAt!: Date;
}
