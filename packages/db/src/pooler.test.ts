// Through PgBouncer in transaction mode (Debian's, with PGBOUNCER_SETTINGS): everything but the
// listening connection goes through the pooler, which hands each transaction (or statement) any
// server connection. Nothing may rely on a session: no named prepared statements, no session SET
// or advisory lock, no temporary table. PostgreSQL only, and only where PgBouncer is installed
// (`.ci/cluster` installs it before the tests run in CI).
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { testDatabaseUrl } from "@todo/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateLatest, openDatabase, type Database } from "./database.js";
import { migrationSource } from "./migrations/index.js";
import { PGBOUNCER_BIN, PgBouncer, withAdmin } from "./testing.js";

const adminUrl = testDatabaseUrl();
const name = `todo_test_pooler_${randomBytes(6).toString("hex")}`;
let bouncer: PgBouncer;
const opened: Database[] = [];

/** A database through the pooler, listening directly (as DATABASE_LISTEN_URL has it). */
function open(): Database {
  const direct = new URL(adminUrl!);
  direct.pathname = `/${name}`;
  const db = openDatabase({
    databaseUrl: bouncer.url,
    listenUrl: direct.toString(),
    connectTimeoutMs: 600_000,
    statementTimeoutMs: 600_000,
  });
  opened.push(db);
  return db;
}

describe.skipIf(!adminUrl || !existsSync(PGBOUNCER_BIN))(
  "through PgBouncer in transaction mode",
  () => {
    beforeAll(async () => {
      await withAdmin(adminUrl!, async (admin) => {
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.query(`ALTER DATABASE ${name} SET statement_timeout = '5s'`);
      });
      bouncer = await PgBouncer.start(adminUrl!, name);
    });
    afterAll(async () => {
      await Promise.all(opened.map((db) => db.close()));
      await bouncer?.stop();
      await withAdmin(adminUrl!, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    });

    it("migrates one empty database from three processes starting at once: each migration applied once", async () => {
      const applied = await Promise.all([open(), open(), open()].map((db) => migrateLatest(db)));
      const all = (await migrationSource.getMigrations([])).map((entry) =>
        migrationSource.getMigrationName(entry),
      );
      expect(applied.flat().sort()).toEqual([...all].sort());
    });

    it("holds a transaction-scoped advisory lock for its transaction only, whichever server connection runs it", async () => {
      const [first, second] = [open(), open()];
      const user = await first.users.insert({ email: `pooler-${name}@example.com` });
      let inside: boolean | undefined;
      const created = await first.transaction(async (tx) => {
        expect(await tx.idempotencyKeys.lock(user.id, "k")).toBe(true);
        // Another client, another server connection: the key is taken while this transaction lasts.
        inside = await second.transaction((other) => other.idempotencyKeys.lock(user.id, "k"));
        return tx.tasks.create(user.id, {
          title: "through the pooler",
          description: null,
          dueDate: null,
          priority: 0,
          tags: [],
          completed: false,
          projectId: null,
        });
      });
      expect(inside).toBe(false);
      expect(await second.transaction((tx) => tx.idempotencyKeys.lock(user.id, "k"))).toBe(true);
      expect((await second.tasks.find(user.id, created!.id))?.title).toBe("through the pooler");
    });

    it("delivers a notification sent through the pooler to a listener connected directly", async () => {
      const [sender, receiver] = [open(), open()];
      const received = new Promise<string>((resolve) => {
        void receiver.listener.subscribe("pooler", resolve);
      });
      await receiver.listener.ready();
      await sender.notify("pooler", "hello");
      expect(await received).toBe("hello");
    });

    it("runs under the database's statement_timeout, the start-up parameter being ignored", async () => {
      const shown = await withAdmin(bouncer.url, (client) =>
        client.query("SHOW statement_timeout"),
      );
      expect(shown.rows[0]).toEqual({ statement_timeout: "5s" });
    });
  },
);
