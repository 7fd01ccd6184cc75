import type { Config } from "@todo/config";
import type { Database } from "@todo/db";
import { AuthService, type ExternalTokenVerifier } from "./auth-service.js";
import { JwksTokenVerifier } from "./external-auth.js";
import { IdempotencyService } from "./idempotency-service.js";
import { RateLimitService } from "./rate-limit-service.js";
import { ProjectService } from "./project-service.js";
import { SessionCache } from "./session-cache.js";
import { TaskService, type Clock } from "./task-service.js";
import { UserService } from "./user-service.js";

/** Every service over one database. */
export interface Services {
  readonly auth: AuthService;
  readonly tasks: TaskService;
  readonly projects: ProjectService;
  readonly users: UserService;
  readonly idempotency: IdempotencyService;
  readonly rateLimits: RateLimitService;
  /** The live sessions the auth and user services share (no query per request). */
  readonly sessions: SessionCache;
}

const NO_RATE_LIMITS: Config["rateLimit"] = {
  enabled: false,
  store: "memory",
  authPoints: 1,
  authDuration: 1,
  userPoints: 1,
  userDuration: 1,
};

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
  options: { external?: ExternalTokenVerifier; clock?: Clock } = {},
): Services {
  const external =
    options.external ??
    (config.externalAuth
      ? new JwksTokenVerifier({ db, provider: config.externalAuth })
      : undefined);
  const sessions = new SessionCache(db);
  return {
    auth: new AuthService({ db, jwt: config.jwt, external, sessions }),
    tasks: new TaskService(db, options.clock),
    projects: new ProjectService(db),
    users: new UserService(db, sessions),
    idempotency: new IdempotencyService({ db }),
    rateLimits: new RateLimitService(db, config.rateLimit ?? NO_RATE_LIMITS),
    sessions,
  };
}
