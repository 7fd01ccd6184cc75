import Koa from "koa";
import type { AppDeps, AppState } from "./context.js";
import { corsPolicy } from "./middleware/cors.js";
import { problemDetails } from "./middleware/errors.js";
import type { Metrics } from "./metrics.js";
import type { InFlightRequests } from "./middleware/in-flight.js";
import { requestContext } from "./middleware/request.js";
import { securityHeaders } from "./middleware/security.js";
import type { Operation } from "./operation.js";
import { operationRoutes } from "./router.js";
import { OPERATIONS } from "./routes/index.js";

export type { AppDeps, AppState } from "./context.js";
export { InFlightRequests } from "./middleware/in-flight.js";
export { Metrics } from "./metrics.js";
export { OPERATIONS } from "./routes/index.js";
export type { Operation } from "./operation.js";

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Counts the handlers still running, outermost, so that a graceful shutdown can wait for them
   * before it closes the database (server.ts).
   */
  readonly inFlight?: InFlightRequests;
  /** Counts and times every request (served apart on METRICS_PORT by server.ts). */
  readonly metrics?: Metrics;
  /** The operations to serve; default {@link OPERATIONS}. */
  readonly operations?: readonly Operation[];
}

/**
 * Builds the Koa app from its dependencies. Nothing here listens, reads the environment or opens a
 * database: `server.ts` and the tests compose it.
 */
export function createApp(deps: AppDeps, options: AppOptions = {}): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: deps.config.trustProxy });
  app.silent = true; // problemDetails logs what matters; Koa's default stderr dump would double it.

  if (options.metrics) app.use(options.metrics.middleware());
  if (options.inFlight) app.use(options.inFlight.middleware());
  // Outside problemDetails, so that error responses carry CORS and security headers too.
  app.use(requestContext(deps.logger));
  const cors = corsPolicy(deps.config);
  if (cors) app.use(cors);
  app.use(securityHeaders());
  app.use(problemDetails(deps.logger));
  for (const middleware of operationRoutes(deps, options.operations ?? OPERATIONS))
    app.use(middleware);
  return app;
}
