// The `rate_limits` table: the shared store of rate-limiter-flexible's RateLimiterPostgres, in the
// shape that library expects (`key` prefixed per limiter, consumed `points`, `expire` in epoch
// milliseconds). The library writes its own statements; this module hands it the table.
import type { Knex } from "knex";
import type { Connection } from "../connection.js";

/** The options RateLimiterPostgres takes to keep its counters in `rate_limits`. */
export interface RateLimitStore {
  readonly storeClient: Knex;
  readonly storeType: "knex";
  readonly tableName: "rate_limits";
  /** The migration made the table; the library must not. */
  readonly tableCreated: true;
}

/** The one way to reach the `rate_limits` table. */
export interface RateLimitsTable {
  /** Spread into `new RateLimiterPostgres({ ...store, keyPrefix, points, duration })`. */
  readonly store: RateLimitStore;
}

/** The `rate_limits` table over `connection`. */
export function rateLimitsTable({ knex }: Connection): RateLimitsTable {
  return {
    store: { storeClient: knex, storeType: "knex", tableName: "rate_limits", tableCreated: true },
  };
}
