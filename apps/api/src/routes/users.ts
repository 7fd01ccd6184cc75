import Router from "@koa/router";
import { PasswordChange, UserUpdate } from "@todo/contract";
import { actorOf, type AppDeps, type AppState } from "../context.js";
import { requireAuth } from "../middleware/auth.js";
import { parse } from "../validate.js";

/** `/users/me`: the caller's profile, account deletion and password change. */
export function userRoutes({ services }: AppDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: "/users/me" });
  router.use(requireAuth(services));

  router.get("/", async (ctx) => {
    ctx.body = await services.users.get(actorOf(ctx));
  });

  router.patch("/", async (ctx) => {
    ctx.body = await services.users.update(actorOf(ctx), parse(UserUpdate, ctx.request.body));
  });

  router.delete("/", async (ctx) => {
    await services.users.delete(actorOf(ctx));
    ctx.status = 204;
  });

  router.post("/password", async (ctx) => {
    await services.auth.changePassword(actorOf(ctx), parse(PasswordChange, ctx.request.body));
    ctx.status = 204;
  });

  return router;
}
