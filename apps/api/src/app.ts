import Router from "@koa/router";
import Koa from "koa";
import type { AppDeps, AppState } from "./context.js";
import { requireAuth } from "./middleware/auth.js";
import { jsonBody } from "./middleware/body.js";
import { corsPolicy } from "./middleware/cors.js";
import { problemDetails } from "./middleware/errors.js";
import { authAttemptLimit } from "./middleware/rate-limit.js";
import { requestContext } from "./middleware/request.js";
import { securityHeaders } from "./middleware/security.js";
import { authRoutes } from "./routes/auth.js";
import { docsRoutes } from "./routes/docs.js";
import { healthRoutes } from "./routes/health.js";
import { taskRoutes } from "./routes/tasks.js";
import { userRoutes } from "./routes/users.js";

export type { AppDeps, AppState } from "./context.js";
export { requireAuth };

/**
 * Builds the Koa app from its dependencies. Nothing here listens, reads the environment or opens a
 * database: `server.ts` and the tests compose it.
 */
export function createApp(deps: AppDeps): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: deps.config.trustProxy });
  app.silent = true; // problemDetails logs what matters; Koa's default stderr dump would double it.

  const api = new Router<AppState>({ prefix: "/api/v1" });
  api.use("/auth/login", authAttemptLimit(deps.services, { clearEmailOnSuccess: true }));
  api.use("/auth/signup", authAttemptLimit(deps.services));
  for (const routes of [authRoutes(deps), userRoutes(deps), taskRoutes(deps)]) {
    api.use(routes.routes());
  }

  // Outside problemDetails, so that error responses carry CORS and security headers too.
  app.use(requestContext(deps.logger));
  const cors = corsPolicy(deps.config);
  if (cors) app.use(cors);
  app.use(securityHeaders());
  app.use(problemDetails(deps.logger));
  app.use(jsonBody());
  // The API first: its requests, nearly all of them, then meet no other router. Each router
  // answers 405 (with `Allow`) for a known path and another method.
  for (const router of [api, healthRoutes(deps), docsRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  return app;
}
