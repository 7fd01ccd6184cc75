// Test fixture: a real app on an ephemeral port over a fresh database (used by API and CLI tests).
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { testConfig, type Config } from "@todo/config";
import { createServices, type Services } from "@todo/core";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import type { Logger } from "pino";
import { createApp } from "./app.js";
import { createLogger } from "./logger.js";

/** A live API for a test file: its base URL, database and services. `close()` stops both. */
export interface TestApi {
  readonly url: string;
  readonly db: TestDatabase;
  readonly config: Config;
  readonly services: Services;
  close(): Promise<void>;
}

/** Options of {@link startTestApi}. */
export interface TestApiOptions {
  /** The app's logger, e.g. a pino logger writing to a memory stream; default per `LOG_LEVEL`. */
  logger?: Logger;
}

/**
 * Starts `createApp` on 127.0.0.1 with an ephemeral port over a freshly migrated database, with
 * the config of `env` (environment names, as in `.env`). Rate limits are off unless `env` sets
 * `RATE_LIMIT_ENABLED`, so that test files may sign up many users from one IP.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  options: TestApiOptions = {},
): Promise<TestApi> {
  const config = testConfig({ RATE_LIMIT_ENABLED: "false", ...env });
  const db = await createTestDatabase();
  const services = createServices(db, config);
  const app = createApp({ config, db, services, logger: options.logger ?? createLogger(config) });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    config,
    services,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
