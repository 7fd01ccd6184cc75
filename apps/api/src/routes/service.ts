import { Health, Readiness, ServiceIndex } from "@todo/contract";
import { DomainError } from "@todo/core";
import { defineOperation, type Operation } from "../operation.js";

/** Seconds a client should wait before asking `/ready` again after a 503. */
const READY_RETRY_AFTER_SECONDS = 5;

const INDEX: ServiceIndex = {
  name: "todo API",
  api: "/api/v1",
  docs: "/docs",
  openapi: "/openapi.json",
  health: "/health",
  ready: "/ready",
};

/** `/` (where to go), `/health` (the process is up) and `/ready` (the database answers). */
export const serviceOperations: readonly Operation[] = [
  defineOperation({
    operationId: "index",
    method: "get",
    path: "/",
    tag: "Service",
    summary: "Where to start: links to the API, its documentation and health checks",
    responses: { 200: { description: "Links.", content: ServiceIndex } },
    handle: () => ({ body: INDEX }),
  }),
  defineOperation({
    operationId: "health",
    method: "get",
    path: "/health",
    tag: "Service",
    summary: "Liveness: the process is up",
    responses: { 200: { description: "The process is up.", content: Health } },
    handle: () => ({ body: { status: "ok" } }),
  }),
  defineOperation({
    operationId: "ready",
    method: "get",
    path: "/ready",
    tag: "Service",
    summary: "Readiness: the database answers",
    responses: { 200: { description: "Ready to serve.", content: Readiness } },
    errors: ["unavailable"],
    handle: async (_input, { deps: { db } }) => {
      const ok = await db.ping().catch(() => false);
      if (!ok) {
        throw new DomainError("unavailable", "The database is not reachable.", {
          retryAfterSeconds: READY_RETRY_AFTER_SECONDS,
        });
      }
      return { body: { status: "ok", database: db.dialect } };
    },
  }),
];
