// The `refresh_tokens` table: sessions. Each login starts a family of opaque refresh tokens,
// stored only as SHA-256 hashes and rotated on every use (OAuth 2.0 Security BCP §4.14). Read and
// written through an Objection model, except the session check every authenticated request
// makes, which is one fixed statement on the fast path.
import type { Knex } from "knex";
import { builder } from "../builder.js";
import { compile, sql, type Connection, type Statement } from "../connection.js";
import { BaseModel } from "../model.js";

/** A `refresh_tokens` row. */
export interface RefreshTokenRow {
  readonly id: string;
  readonly userId: string;
  /** The session: every token rotated from one login shares it. */
  readonly familyId: string;
  /** SHA-256 (hex) of the opaque token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  /** The token that replaced this one when it was rotated. */
  readonly replacedBy: string | null;
  readonly createdAt: Date;
}

/** A new refresh token. */
export interface NewRefreshToken {
  readonly userId: string;
  readonly familyId: string;
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

class RefreshToken extends BaseModel implements RefreshTokenRow {
  static override tableName = "refresh_tokens";

  id!: string;
  userId!: string;
  familyId!: string;
  tokenHash!: string;
  expiresAt!: Date;
  revokedAt!: Date | null;
  replacedBy!: string | null;
  createdAt!: Date;
}

/** The insert of a new token, defined once: run through the model, and compiled for the bench. */
const insert = (knex: Knex, token: NewRefreshToken) =>
  RefreshToken.query(knex).insert(token).returning("id");

/** The statements of the table, as text and values, for callers that send them themselves (bench/). */
export const refreshTokenStatements = {
  /** Stores a new token, returning its `id` (what a login writes). */
  insert: (token: NewRefreshToken): Statement<{ id: string }> =>
    compile(insert(builder, token).toKnexQuery()),
  /**
   * Whether the account `$1` exists with a live (unrevoked, unexpired) session `$2`: one
   * primary-key lookup and one indexed EXISTS.
   */
  sessionLive: `select 1 from users where id = $1 and exists (
  select 1 from refresh_tokens
  where family_id = $2 and user_id = users.id and revoked_at is null and expires_at > now())`,
  /** Whether the account `$1` exists (tokens that name no session). */
  userExists: "select 1 from users where id = $1",
} as const;

/** The one way to reach the `refresh_tokens` table. */
export interface RefreshTokensTable {
  /** Stores a new token; resolves to its row id. */
  insert(token: NewRefreshToken): Promise<string>;
  /**
   * The token with this hash. With `lock`, the row stays locked until the transaction ends, so
   * that two concurrent rotations of one token cannot both succeed.
   */
  findByHash(tokenHash: string, options?: { lock?: boolean }): Promise<RefreshTokenRow | undefined>;
  /** Marks a token rotated: revoked now, and replaced by `replacedBy`. */
  markReplaced(id: string, replacedBy: string): Promise<void>;
  /** Revokes every live token of a session. */
  revokeFamily(familyId: string): Promise<void>;
  /** Revokes every live token of the user, except those of the session `keepFamilyId`. */
  revokeAllOf(userId: string, keepFamilyId?: string): Promise<void>;
  /**
   * True while the account exists and, when `familyId` is given, that session has a live token.
   * Both ids must be UUIDs (the column type); the caller checks untrusted ones first.
   */
  sessionLive(userId: string, familyId: string | undefined): Promise<boolean>;
}

/** The `refresh_tokens` table over `connection`. */
export function refreshTokensTable(connection: Connection): RefreshTokensTable {
  const tokens = () => RefreshToken.query(connection.knex);
  const live = () => tokens().patch({ revokedAt: new Date() }).whereNull("revoked_at");
  return {
    insert: async (token) => (await insert(connection.knex, token)).id,
    findByHash: async (tokenHash, options = {}) => {
      const query = tokens().findOne({ token_hash: tokenHash });
      return await (options.lock ? query.forUpdate() : query);
    },
    async markReplaced(id, replacedBy) {
      await tokens().findById(id).patch({ revokedAt: new Date(), replacedBy });
    },
    async revokeFamily(familyId) {
      await live().where({ family_id: familyId });
    },
    async revokeAllOf(userId, keepFamilyId) {
      const others = live().where({ user_id: userId });
      if (keepFamilyId !== undefined) void others.whereNot({ family_id: keepFamilyId });
      await others;
    },
    async sessionLive(userId, familyId) {
      const rows = await connection.rows(
        familyId === undefined
          ? sql(refreshTokenStatements.userExists, [userId])
          : sql(refreshTokenStatements.sessionLive, [userId, familyId]),
      );
      return rows.length > 0;
    },
  };
}
