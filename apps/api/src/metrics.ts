// Prometheus metrics (prom-client), served by their own HTTP server on METRICS_PORT, never on the
// public port. Labels name route templates, methods and statuses only: no raw path, id, email
// or token ever becomes a label.
import { createServer, type Server } from "node:http";
import type { Database } from "@todo/db";
import type { Middleware } from "koa";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AppState } from "./context.js";

/** The route label of a request no operation took (its path is never a label). */
const UNMATCHED_ROUTE = "unmatched";

/**
 * The API's metrics in one registry: process metrics (prom-client's defaults, `process_*` and
 * `nodejs_*`) and
 * - `http_requests_total{method,route,status}` and `http_request_duration_seconds{…}` (histogram),
 *   `route` being the operation's template (`/api/v1/tasks/:id`) or `unmatched`;
 * - `db_pool_connections{state}`: `in_use`, `idle` and `waiting` (requests queued for one);
 * - `rate_limit_rejections_total{limit}`: `auth-ip`, `auth-email`, `user`;
 * - `event_stream_clients`: open event streams (`GET /events`), read at each scrape.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from a request's arrival to its response, in seconds, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly rateLimitRejections = new Counter({
    name: "rate_limit_rejections_total",
    help: "Requests refused with 429, by limit (auth-ip, auth-email, user).",
    labelNames: ["limit"] as const,
    registers: [this.registry],
  });
  private eventStreams: { readonly size: number } | undefined;
  readonly eventStreamClients = new Gauge({
    name: "event_stream_clients",
    help: "Event streams open on this instance.",
    registers: [this.registry],
    collect: () => {
      if (this.eventStreams) this.eventStreamClients.set(this.eventStreams.size);
    },
  });

  /** Registers the process metrics. */
  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports `db`'s pool as `db_pool_connections{state}`, read at each scrape. Call once. */
  observePool(db: Pick<Database, "poolStats">): void {
    new Gauge({
      name: "db_pool_connections",
      help: "Database pool connections in use and idle, and requests waiting for one.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const { inUse, idle, waiting } = db.poolStats();
        this.set({ state: "in_use" }, inUse);
        this.set({ state: "idle" }, idle);
        this.set({ state: "waiting" }, waiting);
      },
    });
  }

  /** Reports the size of `streams` (`Services.live`) as `event_stream_clients`. Call once. */
  observeEventStreams(streams: { readonly size: number }): void {
    this.eventStreams = streams;
  }

  /**
   * Koa middleware, outermost, counting and timing every request once its response is decided
   * (errors included, as problemDetails answered them).
   */
  middleware(): Middleware<AppState> {
    return async (ctx, next) => {
      const stop = this.requestDuration.startTimer();
      try {
        await next();
      } finally {
        const labels = {
          method: ctx.method,
          route: (ctx as { _matchedRoute?: unknown })._matchedRoute?.toString() ?? UNMATCHED_ROUTE,
          status: String(ctx.status),
        };
        stop(labels);
        this.requests.inc(labels);
      }
    };
  }

  /** A server answering `GET /metrics` with the Prometheus text format (404 elsewhere). */
  server(): Server {
    return createServer((request, response) => {
      const path = (request.url ?? "").split("?")[0];
      if (request.method !== "GET" || path !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain" }).end("Not found: GET /metrics\n");
        return;
      }
      this.registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        () => response.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n"),
      );
    });
  }
}
