// The `users` table: accounts. Read and written through an Objection model (camelCase rows,
// typed inserts and patches): its statements run on sign-up, log-in and profile changes, where the
// model's cost is lost beside argon2id (bench/, "Layers").
import type { Knex } from "knex";
import { builder } from "../builder.js";
import { compile, sql, type Connection, type Statement } from "../connection.js";
import { BaseModel } from "../model.js";

/** A `users` row. `email` is stored trimmed and lower-cased (a CHECK constraint holds it). */
export interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  /** argon2id PHC string; null for users from an external identity provider. */
  readonly passwordHash: string | null;
  readonly externalIssuer: string | null;
  readonly externalSubject: string | null;
  /** The IANA time zone "today" is computed in (`UTC` by default). */
  readonly timeZone: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * A `users` row as the driver returns it, before the model maps it: what a caller that sends
 * {@link userStatements} itself receives.
 */
export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly password_hash: string | null;
  readonly external_issuer: string | null;
  readonly external_subject: string | null;
  readonly time_zone: string;
  /** The tasks' counter (see the tasks module), a bigint as text. */
  readonly task_seq: string;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** A new account. */
export interface NewUser {
  readonly email: string;
  readonly name?: string | null | undefined;
  readonly passwordHash?: string | null | undefined;
  /** The identity provider's `iss` and `sub`, for a user it vouches for. */
  readonly externalIssuer?: string | null | undefined;
  readonly externalSubject?: string | null | undefined;
  /** An IANA time zone, already validated; absent: `UTC`. */
  readonly timeZone?: string | undefined;
}

/** Profile values to change; absent fields stay as they are. */
export interface UserChanges {
  readonly name?: string | null | undefined;
  /** An IANA time zone, already validated. */
  readonly timeZone?: string | undefined;
}

class User extends BaseModel implements UserRow {
  static override tableName = "users";

  id!: string;
  email!: string;
  name!: string | null;
  passwordHash!: string | null;
  externalIssuer!: string | null;
  externalSubject!: string | null;
  timeZone!: string;
  createdAt!: Date;
  updatedAt!: Date;
}

/** The lookup of a login, defined once: run through the model, and compiled for {@link userStatements}. */
const byEmail = (knex: Knex, email: string) => User.query(knex).findOne({ email });

/** The statements of the table, as text and values, for callers that send them themselves (bench/). */
export const userStatements = {
  /** The account with this (stored, trimmed and lower-cased) email: what a login reads. */
  byEmail: (email: string): Statement<UserRecord> => compile(byEmail(builder, email).toKnexQuery()),
};

/** The one way to reach the `users` table. */
export interface UsersTable {
  /**
   * Creates an account.
   * @throws the driver's unique violation (23505) when the email or the external identity is
   *   taken, and its check violation (23514) for an email that is not trimmed and lower-cased.
   */
  insert(user: NewUser): Promise<UserRow>;
  /** The account with this id, or `undefined`. */
  findById(id: string): Promise<UserRow | undefined>;
  /** By the stored (trimmed, lower-cased) email. */
  findByEmail(email: string): Promise<UserRow | undefined>;
  /** The user an identity provider's `(iss, sub)` was provisioned as. */
  findByExternalIdentity(issuer: string, subject: string): Promise<UserRow | undefined>;
  /** Changes the profile (display name, time zone); `undefined` when there is no such user. */
  updateProfile(id: string, changes: UserChanges): Promise<UserRow | undefined>;
  /** Sets the password hash; false when there is no such user. */
  updatePasswordHash(id: string, passwordHash: string): Promise<boolean>;
  /** Deletes the account; its tasks, sessions and idempotency keys go with it (ON DELETE CASCADE). */
  delete(id: string): Promise<boolean>;
}

/** The `users` table over `connection`. */
export function usersTable(connection: Connection): UsersTable {
  const { knex } = connection;
  const users = () => User.query(knex);
  return {
    insert: async (user) => await users().insert(user).returning("*"),
    findById: async (id) => await users().findById(id),
    findByEmail: async (email) => await byEmail(knex, email),
    findByExternalIdentity: async (issuer, subject) =>
      await users().findOne({ external_issuer: issuer, external_subject: subject }),
    updateProfile: async (id, changes) =>
      (
        await users()
          .where({ id })
          .patch({ ...changes, updatedAt: new Date() })
          .returning("*")
      )[0],
    updatePasswordHash: async (id, passwordHash) =>
      (await users().findById(id).patch({ passwordHash, updatedAt: new Date() })) > 0,
    // A fixed statement: knex-pglite reports a builder's DELETE count as the driver's result object.
    delete: async (id) =>
      (await connection.affected(sql("DELETE FROM users WHERE id = $1", [id]))) > 0,
  };
}
