import type { Middleware } from "koa";
import type { AppState } from "../context.js";

/**
 * Counts the requests whose handlers are still running. Counted apart from sockets: a client
 * that hangs up does not stop its handler, and a shutdown must not close the database under it.
 */
export class InFlightRequests {
  private running = 0;
  private waiters: (() => void)[] = [];

  /** Handlers running now. */
  get count(): number {
    return this.running;
  }

  /** The middleware that counts; `createApp` mounts it first when given this tracker. */
  middleware(): Middleware<AppState> {
    return async (_ctx, next) => {
      this.running++;
      try {
        await next();
      } finally {
        if (--this.running === 0) for (const resolve of this.waiters.splice(0)) resolve();
      }
    };
  }

  /** Resolves when no handler is running (at once if none is). */
  drained(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
