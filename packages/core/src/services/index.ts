import type { Config } from "@todo/config";
import type { Database } from "@todo/db";
import { AuthService, type ExternalTokenVerifier } from "./auth-service.js";
import { JwksTokenVerifier } from "./external-auth.js";
import { IdempotencyService } from "./idempotency-service.js";
import type { Redis } from "ioredis";
import { RateLimitService } from "./rate-limit-service.js";
import { ProjectService } from "./project-service.js";
import { LiveEvents, type LiveEventsOptions } from "./live-events.js";
import { SessionCache } from "./session-cache.js";
import { SyncService } from "./sync-service.js";
import { TaskService, type Clock } from "./task-service.js";
import { UserService } from "./user-service.js";

/** Every service over one database. */
export interface Services {
  readonly auth: AuthService;
  readonly tasks: TaskService;
  readonly projects: ProjectService;
  readonly users: UserService;
  /** Delta sync over the change log. */
  readonly sync: SyncService;
  /** The event streams of this process, fed by the change log and the listener. */
  readonly live: LiveEvents;
  readonly idempotency: IdempotencyService;
  readonly rateLimits: RateLimitService;
  /** The live sessions the auth and user services share (no query per request). */
  readonly sessions: SessionCache;
  /**
   * The same services with every one that reads or writes user data over `tx` (a transaction's
   * database, as `Database.transaction` or `IdempotencyService.run` hands it out), so that a
   * request's work commits with its idempotency key. Sessions and rate limits stay as they are.
   */
  within(tx: Database): Services;
}

const NO_RATE_LIMITS: Config["rateLimit"] = {
  enabled: false,
  store: "memory",
  redisUrl: undefined,
  authPoints: 1,
  authDuration: 1,
  userPoints: 1,
  userDuration: 1,
};

/** What {@link createServices} may be given besides the database and config. */
export interface CreateServicesOptions {
  /** Verifies external tokens in place of a {@link JwksTokenVerifier} (tests). */
  readonly external?: ExternalTokenVerifier;
  /** The client of the `redis` rate-limit store (`createRedisClient`); required with it. */
  readonly redis?: Redis;
  /** Called with the limit's name each time a request is rate limited (metrics). */
  readonly onRateLimited?: (limit: string) => void;
  /** The current instant the task rules read (tests fix it; default: the system's). */
  readonly clock?: Clock;
  /** Tuning of the event streams (tests). */
  readonly live?: LiveEventsOptions;
}

/**
 * Builds the services for `db` from `config`, sharing one {@link SessionCache} (which listens on
 * `db.listener`): the JWT settings, and when present the rate limits
 * (absent: no limits) and the external identity provider (`externalAuth`: its tokens are accepted
 * through a {@link JwksTokenVerifier}, unless `options.external` supplies another verifier).
 * `options.clock` is the current instant the task rules read (tests fix it; default: the system's).
 */
export function createServices(
  db: Database,
  config: Pick<Config, "jwt"> & Partial<Pick<Config, "rateLimit" | "externalAuth">>,
  options: CreateServicesOptions = {},
): Services {
  const external =
    options.external ??
    (config.externalAuth
      ? new JwksTokenVerifier({ db, provider: config.externalAuth })
      : undefined);
  const sessions = new SessionCache(db);
  const services: Services = {
    auth: new AuthService({ db, jwt: config.jwt, external, sessions }),
    ...dataServices(db, sessions, options.clock),
    rateLimits: new RateLimitService(
      db,
      config.rateLimit ?? NO_RATE_LIMITS,
      options.redis,
      options.onRateLimited,
    ),
    sessions,
    live: new LiveEvents(db, sessions, new SyncService(db), options.live),
    within: (tx) => ({ ...services, ...dataServices(tx, sessions, options.clock) }),
  };
  return services;
}

/**
 * The services over user data, cheap to build per transaction ({@link Services.within}). A new
 * service that reads or writes user data belongs here, or its writes would escape the transaction
 * of an idempotent request (and on PGlite wait for its one connection forever).
 */
function dataServices(
  db: Database,
  sessions: SessionCache,
  clock: Clock | undefined,
): Pick<Services, "tasks" | "projects" | "users" | "sync" | "idempotency"> {
  return {
    tasks: new TaskService(db, clock),
    projects: new ProjectService(db),
    users: new UserService(db, sessions),
    sync: new SyncService(db),
    idempotency: new IdempotencyService({ db }),
  };
}
