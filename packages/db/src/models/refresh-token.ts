import { BaseModel } from "./base.js";

/** A row of `refresh_tokens`: only the SHA-256 hash of the opaque token is stored. */
export class RefreshToken extends BaseModel {
  static override tableName = "refresh_tokens";

  id!: string;
  userId!: string;
  /** Every token rotated from one login shares a family; reuse of a rotated one revokes it. */
  familyId!: string;
  tokenHash!: string;
  expiresAt!: Date;
  revokedAt!: Date | null;
  replacedBy!: string | null;
  createdAt!: Date;
}
