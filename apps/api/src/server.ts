// The process entry point: read config, open the database (waiting for it), migrate, listen, and
// shut down gracefully.
import { ConfigError, loadConfig } from "@todo/config";
import { createRedisClient, createServices } from "@todo/core";
import { migrateLatest, openDatabase } from "@todo/db";
import { createApp, InFlightRequests, Metrics } from "./app.js";
import { createHttpServer, listen, ListenError } from "./http-server.js";
import { createLogger } from "./logger.js";
import { databaseAddress, waitForDatabase } from "./wait-for-database.js";

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
  listenUrl: config.databaseListenUrl,
  dataDir: config.dataDir,
  ...config.databaseTimeouts,
});
const where = config.databaseUrl
  ? `PostgreSQL at ${databaseAddress(config.databaseUrl)}`
  : `embedded PGlite in ${config.dataDir}`;

// A signal while starting (say, waiting for PostgreSQL) stops the start-up; afterwards, shutdown().
const starting = new AbortController();
const stop: { shutdown?: (signal: string) => Promise<void> } = {};
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (!stop.shutdown) {
      starting.abort();
      logger.info({ signal }, "stopped before the API started");
      void db.close().finally(() => process.exit(0));
      return;
    }
    stop.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}

try {
  if (config.databaseUrl) {
    await waitForDatabase(db, databaseAddress(config.databaseUrl), logger, {
      signal: starting.signal,
    });
  }
  if (config.migrateOnStart) {
    const applied = await migrateLatest(db);
    if (applied.length) logger.info({ applied }, "applied migrations");
  }
} catch (error) {
  if (starting.signal.aborted) await new Promise(() => {}); // the signal handler exits
  // One line that says what to fix: the driver's message (never the password), not a stack.
  logger.fatal({ database: where }, `could not open ${where}: ${(error as Error).message}`);
  process.exit(1);
}

const redisUrl = config.rateLimit.store === "redis" ? config.rateLimit.redisUrl : undefined;
let redisDown = false;
const redis = redisUrl
  ? createRedisClient(redisUrl, {
      keyPrefix: config.rateLimit.redisKeyPrefix,
      // One line per outage, not per reconnection attempt; requests are counted in memory meanwhile.
      onError: (error) => {
        if (redisDown) return;
        redisDown = true;
        logger.warn({ err: error }, "Redis is unreachable: rate limits count in memory meanwhile");
      },
    }).on("ready", () => {
      if (redisDown) logger.info("Redis is back: rate limits count there again");
      redisDown = false;
    })
  : undefined;
const metrics = config.metricsPort === undefined ? undefined : new Metrics();
metrics?.observePool(db);
const services = createServices(db, config, {
  redis,
  onRateLimited: metrics && ((limit) => metrics.rateLimitRejections.inc({ limit })),
});
metrics?.observeEventStreams(services.live);
const inFlight = new InFlightRequests();
const app = createApp({ config, db, services, logger }, { inFlight, metrics });
const server = createHttpServer(app, config.http);
const metricsServer = metrics?.server();

try {
  const { address, port } = await listen(server, config.port, config.host);
  logger.info(
    { address, port, database: where },
    `todo API listening on http://${address}:${port} (${where}); docs at /docs`,
  );
  if (metricsServer && config.metricsPort !== undefined) {
    const at = await listen(metricsServer, config.metricsPort, config.host);
    logger.info(at, `metrics at http://${at.address}:${at.port}/metrics`);
  }
} catch (error) {
  logger.fatal(
    { host: config.host, port: config.port },
    error instanceof ListenError ? error.message : `could not listen: ${String(error)}`,
  );
  await db.close();
  process.exit(1);
}

// Idempotency keys are kept 24 h; expired ones are already ignored, this only frees the space.
// Changes older than CHANGES_RETENTION are forgotten: sync tokens older than that answer 410.
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const purge = setInterval(() => {
  services.idempotency.purgeExpired().then(
    (purged) => purged && logger.info({ purged }, "purged expired idempotency keys"),
    (error: unknown) => logger.warn({ err: error }, "could not purge expired idempotency keys"),
  );
  services.sync.prune(new Date(Date.now() - config.events.changeRetention * 1000)).then(
    (owners) => owners && logger.info({ owners }, "pruned changes past their retention"),
    (error: unknown) => logger.warn({ err: error }, "could not prune old changes"),
  );
}, PURGE_INTERVAL_MS);
purge.unref();

let stopping = false;
stop.shutdown = async (signal) => {
  if (stopping) return;
  stopping = true;
  clearInterval(purge);
  logger.info({ signal }, "shutting down: draining in-flight requests");
  // Event streams end now (clients reconnect to another instance with their last event id).
  services.live.close();
  // Stop accepting; idle keep-alive sockets close now, busy ones after their response.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  metricsServer?.close();
  server.closeIdleConnections();
  let forced: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    forced = setTimeout(() => {
      logger.warn("in-flight requests did not finish in time; closing connections");
      server.closeAllConnections();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
  });
  await Promise.race([Promise.all([closed, inFlight.drained()]), deadline]);
  clearTimeout(forced);
  await db.close();
  redis?.disconnect();
  logger.info("stopped");
};
