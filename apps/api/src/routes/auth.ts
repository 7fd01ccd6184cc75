import Router from "@koa/router";
import { LoginRequest, RefreshRequest, SignupRequest } from "@todo/contract";
import type { AppDeps, AppState } from "../context.js";
import { parse } from "../validate.js";

/** `/auth/*`: signup, login, refresh and logout. No access token needed. */
export function authRoutes({ services }: AppDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: "/auth" });

  router.post("/signup", async (ctx) => {
    ctx.status = 201;
    ctx.body = await services.auth.signup(parse(SignupRequest, ctx.request.body));
  });

  router.post("/login", async (ctx) => {
    ctx.body = await services.auth.login(parse(LoginRequest, ctx.request.body));
  });

  router.post("/refresh", async (ctx) => {
    ctx.body = await services.auth.refresh(parse(RefreshRequest, ctx.request.body).refreshToken);
  });

  router.post("/logout", async (ctx) => {
    await services.auth.logout(parse(RefreshRequest, ctx.request.body).refreshToken);
    ctx.status = 204;
  });

  return router;
}
