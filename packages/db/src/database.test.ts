import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabaseUrl } from "@todo/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type ObservedStatement } from "./connection.js";
import { migrateLatest, openDatabase, rootConnection } from "./database.js";
import { migrationSource } from "./migrations/index.js";
import { isCheckViolation, isDatabaseUnavailable, isUniqueViolation } from "./errors.js";
import type { NewTask } from "./tables/tasks.js";
import { createTestDatabase, freePort, type TestDatabase } from "./testing.js";

const seen: ObservedStatement[] = [];
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ onStatement: (statement) => seen.push(statement) });
});
afterAll(() => db.close());

const TASK: NewTask = {
  title: "x",
  description: null,
  dueDate: null,
  priority: 0,
  tags: [],
  completed: false,
  projectId: null,
};

let counter = 0;
const newUser = () => db.users.insert({ email: `db${++counter}@example.com` });

describe("schema", () => {
  it("keeps dates as YYYY-MM-DD text and arrays as arrays, and enforces the task limits in SQL", async () => {
    const user = await newUser();
    const task = await db.tasks.create(user.id, { ...TASK, dueDate: "2026-12-01" });
    expect(task?.due_date).toBe("2026-12-01");
    expect(task?.tags).toEqual([]);
    const tagged = await db.tasks.create(user.id, { ...TASK, tags: ["home", "work"] });
    expect((await db.tasks.find(user.id, tagged!.id))?.tags).toEqual(["home", "work"]);
    await expect(db.tasks.create(user.id, { ...TASK, title: "   " })).rejects.toSatisfy(
      isCheckViolation,
    );
    await expect(
      db.sql("INSERT INTO tasks (user_id, id, title) VALUES ($1, $2, 'dup')", [user.id, task!.id]),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  it("refuses an email that is not normalised", async () => {
    await expect(db.users.insert({ email: " Mixed@Example.com" })).rejects.toSatisfy(
      isCheckViolation,
    );
  });
});

describe("transactions", () => {
  it("runs the fast path on the transaction's connection: its statements commit or roll back with it", async () => {
    const user = await newUser();
    const failed = db.transaction(async (tx) => {
      const created = await tx.tasks.create(user.id, { ...TASK, title: "rolled back" });
      // Seen inside the transaction…
      expect(await tx.tasks.find(user.id, created!.id)).toMatchObject({ title: "rolled back" });
      throw new Error("abort");
    });
    await expect(failed).rejects.toThrow("abort");
    // …and gone with it, task number included.
    expect(await db.tasks.ofOwner(user.id)).toEqual([]);

    const kept = await db.transaction(async (tx) => {
      const created = await tx.tasks.create(user.id, { ...TASK, title: "kept" });
      await tx.users.updateProfile(user.id, { name: "Kept" });
      return created!;
    });
    expect(await db.tasks.find(user.id, kept.id)).toMatchObject({ title: "kept" });
    expect((await db.users.findById(user.id))?.name).toBe("Kept");
  });

  it.skipIf(!testDatabaseUrl())(
    "keeps a transaction's writes from other connections until it commits (PostgreSQL)",
    async () => {
      const user = await newUser();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let created!: number;
      let signal!: () => void;
      const inside = new Promise<void>((resolve) => (signal = resolve));
      const transaction = db.transaction(async (tx) => {
        created = (await tx.tasks.create(user.id, { ...TASK, title: "pending" }))!.id;
        signal();
        await held;
      });
      await inside;
      expect(await db.tasks.find(user.id, created)).toBeUndefined();
      release();
      await transaction;
      expect(await db.tasks.find(user.id, created)).toMatchObject({ title: "pending" });
    },
  );
});

describe("statement observer", () => {
  it("sees every statement, from the fast path and from knex, as sent; errors keep their SQLSTATE", async () => {
    seen.length = 0;
    const user = await newUser(); // through Objection and knex's runner
    await db.tasks.find(user.id, 1); // the fast path
    expect(seen.map((statement) => statement.sql)).toEqual([
      expect.stringMatching(/^insert into "users" .* returning \*$/),
      "SELECT * FROM tasks WHERE user_id = $1 AND id = $2 AND deleted_at IS NULL",
    ]);
    expect(seen[1]?.bindings).toEqual([user.id, 1]);
    await expect(db.users.insert({ email: user.email })).rejects.toSatisfy(isUniqueViolation);
  });
});

describe("migrations", () => {
  it("20261210000001 turns stored responses into the result text the API replays, and keeps keys in flight", async () => {
    const embedded = openDatabase({});
    try {
      const earlier = {
        ...migrationSource,
        getMigrations: async () =>
          (await migrationSource.getMigrations([])).filter(([name]) => name < "20261210000001"),
      };
      const { knex } = rootConnection(embedded);
      await knex.migrate.latest({ migrationSource: earlier });
      const user = await embedded.users.insert({ email: "migrated@example.com" });
      const body = '{"id":1,"title":"x"}';
      await knex("idempotency_keys").insert([
        {
          user_id: user.id,
          key: "done",
          fingerprint: "fp",
          response_status: 201,
          response_headers: JSON.stringify({ location: "/api/v1/tasks/1", etag: '"1"' }),
          response_body: body,
        },
        { user_id: user.id, key: "running", fingerprint: "fp" },
      ]);

      // Later migrations run after it.
      expect((await migrateLatest(embedded))[0]).toBe("20261210000001_idempotency_result");
      const done = await embedded.idempotencyKeys.find(user.id, "done");
      expect(JSON.parse(done!.result!)).toEqual({
        status: 201,
        headers: { location: "/api/v1/tasks/1", etag: '"1"' },
        body,
      });
      expect(await embedded.idempotencyKeys.find(user.id, "running")).toMatchObject({
        fingerprint: "fp",
        result: null,
      });
    } finally {
      await embedded.close();
    }
  });
});

describe("the embedded database on disk", () => {
  it("creates its folder once, keeps its data across restarts, and runs with 16 MB of shared buffers", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "todo-pglite-"));
    try {
      const first = openDatabase({ dataDir });
      // Created before openDatabase returns, by a child process.
      expect(existsSync(join(dataDir, "pgdata", "PG_VERSION"))).toBe(true);
      expect((await migrateLatest(first)).length).toBeGreaterThan(0);
      const user = await first.users.insert({ email: "disk@example.com" });
      await first.close();

      const second = openDatabase({ dataDir });
      try {
        expect(await migrateLatest(second)).toEqual([]);
        expect((await second.users.findById(user.id))?.email).toBe("disk@example.com");
        const [setting] = await rootConnection(second).rows<{ shared_buffers: string }>(
          sql("SHOW shared_buffers"),
        );
        expect(setting?.shared_buffers).toBe("16MB");
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("isDatabaseUnavailable", () => {
  it("is false for a statement's own errors", async () => {
    const user = await newUser();
    const duplicate = await db.users.insert({ email: user.email }).catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    const syntax = await db.sql("SELEC 1").catch((error: unknown) => error);
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it("is true for a closed embedded database", async () => {
    const embedded = openDatabase({});
    expect(await embedded.ping()).toBe(true);
    await embedded.close();
    const error = await embedded.ping().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("is true for a server that refuses connections", async () => {
    const port = await freePort();
    const absent = openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres` });
    try {
      const error = await absent.ping().catch((thrown: unknown) => thrown);
      expect((error as { code?: string }).code).toBe("ECONNREFUSED");
      expect(isDatabaseUnavailable(error)).toBe(true);
      // Through Objection and knex's pool as well.
      const viaKnex = await absent.users.findById("00000000-0000-0000-0000-000000000000").then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isDatabaseUnavailable(viaKnex)).toBe(true);
    } finally {
      await absent.close();
    }
  });

  it.skipIf(!testDatabaseUrl())(
    "is true when no connection comes free within the connect timeout (PostgreSQL)",
    async () => {
      const busy = openDatabase({
        databaseUrl: testDatabaseUrl(),
        poolMax: 1,
        connectTimeoutMs: 200,
      });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const holding = new Promise<void>((resolve) => (started = resolve));
      try {
        // The one connection, held by a transaction.
        const transaction = busy.transaction(async () => {
          started();
          await held;
        });
        await holding;
        const error = await busy.ping().catch((thrown: unknown) => thrown);
        expect((error as Error).message).toBe("timeout exceeded when trying to connect");
        expect(isDatabaseUnavailable(error)).toBe(true);
        release();
        await transaction;
        expect(await busy.ping()).toBe(true);
      } finally {
        release();
        await busy.close();
      }
    },
  );

  it.skipIf(!testDatabaseUrl())(
    "is true for a statement the server cancelled at statement_timeout (PostgreSQL)",
    async () => {
      const slow = openDatabase({ databaseUrl: testDatabaseUrl(), statementTimeoutMs: 100 });
      try {
        const error = await rootConnection(slow)
          .rows(sql("SELECT pg_sleep(30)"))
          .catch((thrown: unknown) => thrown);
        expect((error as { code?: string }).code).toBe("57014");
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await slow.close();
      }
    },
  );
});
