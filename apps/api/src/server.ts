// The process entry point: read config, open the database, migrate, listen, shut down gracefully.
import type { AddressInfo } from "node:net";
import { ConfigError, loadConfig } from "@todo/config";
import { createServices } from "@todo/core";
import { migrateLatest, openDatabase } from "@todo/db";
import { createApp } from "./app.js";
import { createLogger } from "./logger.js";

const SHUTDOWN_GRACE_MS = 10_000;

let config;
try {
  config = loadConfig({ warn: (message) => console.warn(message) });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger(config);
const db = openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  ...config.databaseTimeouts,
});
if (config.migrateOnStart) {
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ applied }, "applied migrations");
}
const services = createServices(db, config);
const app = createApp({ config, db, services, logger });

// Handlers still running, counted apart from sockets: a client that hangs up does not stop its
// handler, and shutdown must not close the database under it.
let inFlight = 0;
let onIdle: (() => void) | undefined;
app.middleware.unshift(async (_ctx, next) => {
  inFlight++;
  try {
    await next();
  } finally {
    if (--inFlight === 0) onIdle?.();
  }
});

const server = app.listen(config.port, config.host);
server.keepAliveTimeout = 65_000;

server.once("listening", () => {
  const { address, port } = server.address() as AddressInfo;
  const where = config.databaseUrl ? "PostgreSQL" : `embedded PGlite in ${config.dataDir}`;
  logger.info(
    { address, port, database: where },
    `todo API listening on http://${address}:${port} (${where})`,
  );
});
server.once("error", (error) => {
  logger.fatal({ err: error }, `could not listen on ${config.host}:${config.port}`);
  process.exit(1);
});

// Idempotency keys are kept 24 h; expired ones are already ignored, this only frees the space.
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const purge = setInterval(() => {
  services.idempotency.purgeExpired().then(
    (purged) => purged && logger.info({ purged }, "purged expired idempotency keys"),
    (error: unknown) => logger.warn({ err: error }, "could not purge expired idempotency keys"),
  );
}, PURGE_INTERVAL_MS);
purge.unref();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(purge);
  logger.info({ signal }, "shutting down: draining in-flight requests");
  const drained = new Promise<void>((resolve) => {
    const forced = setTimeout(() => {
      logger.warn("in-flight requests did not finish in time; closing connections");
      server.closeAllConnections();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
    onIdle = () => {
      clearTimeout(forced);
      resolve();
    };
  });
  // Stop accepting; idle keep-alive sockets close now, busy ones after their response.
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  if (inFlight > 0) await drained;
  await db.close();
  logger.info("stopped");
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
