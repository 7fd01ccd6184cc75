import Router from "@koa/router";
import {
  TaskCreate,
  TaskId,
  TaskListQuery,
  TaskReplace,
  TaskUpdate,
  type Task,
} from "@todo/contract";
import { actorOf, type AppContext, type AppDeps, type AppState } from "../context.js";
import { requireAuth } from "../middleware/auth.js";
import { idempotencyKey } from "../middleware/idempotency.js";
import { parse } from "../validate.js";
import { ifMatchOf, setTaskHeaders } from "../etag.js";

/** `/tasks`: the caller's tasks. Routes parse, call one service method and shape the response. */
export function taskRoutes({ services, logger }: AppDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: "/tasks" });
  const { tasks } = services;
  router.use(requireAuth(services));
  const idempotent = idempotencyKey(services, logger);

  // Only plain digits name a task: `0x10`, `1e1` or ` 1` would otherwise coerce to a number.
  const idOf = (ctx: AppContext & { params: Record<string, string> }) =>
    parse(TaskId, /^\d+$/.test(ctx.params.id ?? "") ? ctx.params.id : Number.NaN, "path");
  const respond = (ctx: AppContext, task: Task, status = 200) => {
    ctx.status = status;
    setTaskHeaders(ctx, task);
    ctx.body = task;
  };

  router.get("/", async (ctx) => {
    ctx.body = await tasks.list(actorOf(ctx), parse(TaskListQuery, ctx.query, "query"));
  });

  router.post("/", idempotent, async (ctx) => {
    const task = await tasks.create(actorOf(ctx), parse(TaskCreate, ctx.request.body));
    ctx.set("Location", `/api/v1/tasks/${task.id}`);
    respond(ctx, task, 201);
  });

  router.get("/:id", async (ctx) => {
    const task = await tasks.get(actorOf(ctx), idOf(ctx));
    respond(ctx, task);
    if (ctx.fresh) ctx.status = 304;
  });

  router.patch("/:id", async (ctx) => {
    const id = idOf(ctx);
    respond(
      ctx,
      await tasks.update(actorOf(ctx), id, parse(TaskUpdate, ctx.request.body), ifMatchOf(ctx)),
    );
  });

  router.put("/:id", async (ctx) => {
    const id = idOf(ctx);
    respond(
      ctx,
      await tasks.replace(actorOf(ctx), id, parse(TaskReplace, ctx.request.body), ifMatchOf(ctx)),
    );
  });

  router.delete("/:id", async (ctx) => {
    await tasks.remove(actorOf(ctx), idOf(ctx), ifMatchOf(ctx));
    ctx.status = 204;
  });

  router.post("/:id/complete", idempotent, async (ctx) => {
    respond(ctx, await tasks.setCompleted(actorOf(ctx), idOf(ctx), true, ifMatchOf(ctx)));
  });

  router.post("/:id/reopen", idempotent, async (ctx) => {
    respond(ctx, await tasks.setCompleted(actorOf(ctx), idOf(ctx), false, ifMatchOf(ctx)));
  });

  router.post("/:id/restore", idempotent, async (ctx) => {
    respond(ctx, await tasks.restore(actorOf(ctx), idOf(ctx)));
  });

  return router;
}
