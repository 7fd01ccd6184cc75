// How the schema spreads over many PostgreSQL nodes (Citus), with the user as the unit: every
// table that holds one user's data is distributed by that user's id and co-located with the
// others, so a request (always one user's) runs on one node. A unique key or foreign key that does
// not include the distribution column cannot be enforced by Citus across nodes; each one the
// schema has is named here with what it becomes. `distribution.test.ts` reads the migrated
// catalog and fails on any key that is neither co-located nor listed (README, "Beyond one
// PostgreSQL").

/** The Citus layout of the migrated schema; see the file comment. */
export interface Distribution {
  /** The distribution column of user data: the owning user's id. */
  readonly column: "user_id";
  /**
   * Tables distributed by the owning user's id, co-located: each table's column that holds it
   * (`users` is distributed by its own `id`, which every other table's `user_id` refers to).
   */
  readonly distributed: Readonly<Record<string, string>>;
  /** Tables copied whole to every node (Citus reference tables), with why. */
  readonly reference: Readonly<Record<string, string>>;
  /** Tables kept on the coordinator alone (Citus local tables), with why. */
  readonly local: Readonly<Record<string, string>>;
  /**
   * Each unique key, primary key or foreign key that does not include its table's distribution
   * column (or, for a foreign key, does not join the two tables' distribution columns), as the
   * schema test names it (`table UNIQUE (columns)`, `table FOREIGN KEY (columns) REFERENCES
   * table (columns)`), with its treatment on Citus.
   */
  readonly exceptions: Readonly<Record<string, string>>;
}

/** See {@link Distribution}. */
export const DISTRIBUTION: Distribution = {
  column: "user_id",
  distributed: {
    users: "id",
    tasks: "user_id",
    projects: "user_id",
    idempotency_keys: "user_id",
    refresh_tokens: "user_id",
    // Keyed (user_id, seq) when present: the sync feed of one user's changes.
    changes: "user_id",
  },
  // Made for Citus (not in the schema today): the lookups that replace the users keys below.
  reference: {
    user_emails: "email → user_id, for login (replaces users UNIQUE (email))",
    user_identities:
      "(issuer, subject) → user_id, for external tokens (replaces users UNIQUE (external_issuer, external_subject))",
  },
  local: {
    knex_migrations: "the migrations applied: bookkeeping of the coordinator, which migrates",
    knex_migrations_lock: "the migration lock: bookkeeping of the coordinator",
    rate_limits:
      "not user data: the shared rate-limit counters when RATE_LIMIT_STORE=postgres; a cluster counts in Redis instead (RATE_LIMIT_STORE=redis)",
  },
  exceptions: {
    "users UNIQUE (email)":
      "lookup table: a reference table user_emails (email PRIMARY KEY, user_id), written at signup and on an email change in the same transaction as the user, read by login to find the user (then a one-node query)",
    "users UNIQUE (external_issuer, external_subject)":
      "lookup table: a reference table user_identities ((issuer, subject) PRIMARY KEY, user_id), written when an external identity first signs in, read by token verification to find the user",
    "refresh_tokens PRIMARY KEY (id)":
      "gains user_id: PRIMARY KEY (user_id, id); every statement on a token already knows its user once the token is found (below)",
    "refresh_tokens UNIQUE (token_hash)":
      "gains user_id: UNIQUE (user_id, token_hash), the refresh token handed to the client carrying its user's id as a prefix, so that the lookup by hash is routed to the user's node",
    "rate_limits PRIMARY KEY (key)":
      "kept as it is: rate_limits stays on the coordinator, or rather the counters live in Redis (RATE_LIMIT_STORE=redis), which every instance shares",
    "tasks UNIQUE (uid)":
      "gains user_id: UNIQUE (user_id, uid); a uid is gen_random_uuid() (122 random bits), which no second row meets by chance, and it is looked up through its owner",
    "projects UNIQUE (uid)": "gains user_id: UNIQUE (user_id, uid), as for tasks",
    "tasks FOREIGN KEY (created_by) REFERENCES users (id)":
      "dropped: the creator is the request's user (today always the owner); deleting a user clears created_by in its other rows in the same transaction (ON DELETE SET NULL by hand)",
    "projects FOREIGN KEY (created_by) REFERENCES users (id)": "dropped, as for tasks",
  },
};
