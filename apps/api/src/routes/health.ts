import Router from "@koa/router";
import { DomainError } from "@todo/core";
import type { AppDeps, AppState } from "../context.js";

/** `/health` (the process is up) and `/ready` (the database answers), outside `/api/v1`. */
export function healthRoutes({ db }: AppDeps): Router<AppState> {
  const router = new Router<AppState>();

  router.get("/health", (ctx) => {
    ctx.body = { status: "ok" };
  });

  router.get("/ready", async (ctx) => {
    const ok = await db.ping().catch(() => false);
    if (!ok) throw new DomainError("unavailable", "The database is not reachable.");
    ctx.body = { status: "ok", database: db.dialect };
  });

  return router;
}
