import type { Database, UserChanges } from "@todo/db";
import type { User, UserUpdate } from "@todo/contract";
import { notFound } from "../errors.js";
import { toUser, type Actor } from "./auth-service.js";
import { announceRevocation, type SessionCache } from "./session-cache.js";

/** The caller's own profile. */
export class UserService {
  /** `sessions`: the cache that forgets a deleted account's sessions (see {@link SessionCache}). */
  constructor(
    private readonly db: Database,
    private readonly sessions?: SessionCache,
  ) {}

  /**
   * The caller's profile.
   * @throws {DomainError} `not_found` (404) when the account was deleted.
   */
  async get(actor: Actor): Promise<User> {
    const user = await this.db.users.findById(actor.userId);
    if (!user) throw notFound("Your account");
    return toUser(user);
  }

  /**
   * Updates the profile (`name`, `null` clearing it; `timeZone`, an IANA zone the contract has
   * validated and canonicalised).
   * @throws {DomainError} `not_found` (404).
   */
  async update(actor: Actor, input: UserUpdate): Promise<User> {
    const changes = Object.fromEntries(
      Object.entries(input).filter(([, value]) => value !== undefined),
    ) as UserChanges;
    if (Object.keys(changes).length === 0) return this.get(actor);
    const user = await this.db.users.updateProfile(actor.userId, changes);
    if (!user) throw notFound("Your account");
    return toUser(user);
  }

  /**
   * Deletes the account with its tasks, sessions and idempotency records (ON DELETE CASCADE).
   * @throws {DomainError} `not_found` (404).
   */
  async delete(actor: Actor): Promise<void> {
    const deleted = await this.db.transaction(async (tx) => {
      const found = await tx.users.delete(actor.userId);
      if (found) await announceRevocation(tx, actor.userId);
      return found;
    });
    if (!deleted) throw notFound("Your account");
    this.sessions?.forget(actor.userId);
  }
}
