/**
 * @todo/core: the domain. Services over an open {@link Database} (shapes from `@todo/contract`),
 * and the domain errors the API turns into problem details.
 */
export {
  DomainError,
  notFound,
  preconditionFailed,
  unauthorized,
  validationFailed,
} from "./errors.js";
export { ARGON2_OPTIONS, AuthService, toUser } from "./services/auth-service.js";
export type { Actor, AuthServiceDeps, ExternalTokenVerifier } from "./services/auth-service.js";
export { TaskService, toTask } from "./services/task-service.js";
export { parseQuickAdd, projectsIn } from "./quick-add.js";
export type { ProjectResolver, QuickAddParts } from "./quick-add.js";
export { ProjectService, toProject } from "./services/project-service.js";
export { ownerOf } from "./access.js";
export type { Clock, WriteOptions } from "./services/task-service.js";
export { UserService } from "./services/user-service.js";
export { EXTERNAL_ALGORITHMS, JwksTokenVerifier } from "./services/external-auth.js";
export type { JwksTokenVerifierDeps } from "./services/external-auth.js";
export {
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_LOCK_TIMEOUT_MS,
  IdempotencyService,
} from "./services/idempotency-service.js";
export type {
  IdempotencyOutcome,
  IdempotencyServiceDeps,
  IdempotentWork,
} from "./services/idempotency-service.js";
export { createRedisClient, RateLimitService } from "./services/rate-limit-service.js";
export { createServices } from "./services/index.js";
export {
  announceRevocation,
  SESSION_CHANNEL,
  SessionCache,
  type SessionCacheOptions,
} from "./services/session-cache.js";
export type { CreateServicesOptions, Services } from "./services/index.js";
export { SyncService, syncTokenExpired, type SequencedEvent } from "./services/sync-service.js";
export {
  LiveEvents,
  type EventSink,
  type LiveEventsOptions,
  type StreamEndReason,
} from "./services/live-events.js";
