// `pnpm db:migrate`: apply pending migrations to the configured database.
import { ConfigError, loadConfig } from "@todo/config";
import { migrateLatest, openDatabase } from "./database.js";

try {
  const config = loadConfig({ warn: (message) => console.warn(message) });
  const database = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...config.databaseTimeouts,
  });
  try {
    const applied = await migrateLatest(database);
    const where = config.databaseUrl ? "PostgreSQL" : `PGlite in ${config.dataDir}`;
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s) to ${where}: ${applied.join(", ")}`
        : `${where} is up to date.`,
    );
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
