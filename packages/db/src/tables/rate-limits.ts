// The `rate_limits` table: the shared store of rate-limiter-flexible's RateLimiterPostgres, in the
// shape that library expects (`key` prefixed per limiter, consumed `points`, `expire` in epoch
// milliseconds). The library writes its own statements; this module gives it the table, and no
// one else.
import { RateLimiterPostgres, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Connection } from "../connection.js";

/** One fixed-window limit, as rate-limiter-flexible counts it. */
export interface SharedLimit {
  /** Names the limit's counters: `<keyPrefix>:<key>`. */
  readonly keyPrefix: string;
  /** Points (requests) allowed per window. */
  readonly points: number;
  /** The window, in seconds. */
  readonly duration: number;
  /** Counts in its place while the database fails (rate-limiter-flexible's insurance limiter). */
  readonly insurance: RateLimiterAbstract;
}

/** The one way to reach the `rate_limits` table. */
export interface RateLimitsTable {
  /** A limiter whose counters live in `rate_limits`, shared by every API instance. */
  limiter(limit: SharedLimit): RateLimiterAbstract;
}

/** The `rate_limits` table over `connection`. */
export function rateLimitsTable({ knex }: Connection): RateLimitsTable {
  return {
    limiter: ({ insurance, ...limit }) =>
      new RateLimiterPostgres({
        ...limit,
        storeClient: knex,
        storeType: "knex",
        tableName: "rate_limits",
        // The migration made the table; the library must not.
        tableCreated: true,
        insuranceLimiter: insurance,
      }),
  };
}
