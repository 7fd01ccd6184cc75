import type { Config } from "@todo/config";
import type { Actor, Services } from "@todo/core";
import type { Database } from "@todo/db";
import type { ParameterizedContext } from "koa";
import type { Logger } from "pino";

/** What `createApp` is built from: composition happens at the edge (server.ts or a test). */
export interface AppDeps {
  readonly config: Config;
  readonly db: Database;
  readonly services: Services;
  readonly logger: Logger;
}

/** Per-request state set by the middleware. */
export interface AppState {
  /** From `X-Request-Id` when it is safe to echo, else a new UUID. */
  requestId: string;
  /** The authenticated caller; set by `requireAuth`. */
  actor?: Actor;
  /**
   * The services a handler uses in place of `AppDeps.services`: set by the `Idempotency-Key`
   * middleware to services over the transaction that holds the key.
   */
  services?: Services | undefined;
}

export type AppContext = ParameterizedContext<AppState>;

/** The authenticated caller of a route behind `requireAuth`. */
export function actorOf(ctx: AppContext): Actor {
  if (!ctx.state.actor) throw new Error("route is missing requireAuth");
  return ctx.state.actor;
}
