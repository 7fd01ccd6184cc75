import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCheckViolation, isUniqueViolation } from "./errors.js";
import { createTestDatabase, type TestDatabase } from "./testing.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

describe("schema", () => {
  it("keeps dates as YYYY-MM-DD text and enforces the task limits in SQL", async () => {
    const { User, Task } = db.models;
    const user = await User.query().insertAndFetch({ email: "a@example.com" });
    const task = await Task.query().insertAndFetch({
      userId: user.id,
      id: 1,
      title: "x",
      dueDate: "2026-12-01",
    });
    expect(task.dueDate).toBe("2026-12-01");
    expect(task.tags).toEqual([]);
    await expect(Task.query().insert({ userId: user.id, id: 2, title: "   " })).rejects.toSatisfy(
      isCheckViolation,
    );
    await expect(Task.query().insert({ userId: user.id, id: 1, title: "dup" })).rejects.toSatisfy(
      isUniqueViolation,
    );
  });

  it("refuses an email that is not normalised", async () => {
    await expect(db.models.User.query().insert({ email: " Mixed@Example.com" })).rejects.toSatisfy(
      isCheckViolation,
    );
  });
});

describe("rows", () => {
  it("runs a built statement and gives its rows, with dates as text and arrays as arrays", async () => {
    const [user] = await db.rows<{ id: string }>(
      db.knex("users").insert({ email: "rows@example.com" }).returning("id"),
    );
    expect(user?.id).toMatch(/^[0-9a-f-]{36}$/);
    await db.rows(
      db.knex.raw(
        "INSERT INTO tasks (user_id, id, title, due_date, tags) VALUES (?, 1, 'a', '2026-12-01', ?::text[]), (?, 2, 'b', NULL, '{}')",
        [user!.id, ["home", "work"], user!.id],
      ),
    );

    const first = await db.rows(db.knex("tasks").where({ user_id: user!.id, id: 1 }).first());
    expect(first).toEqual([
      expect.objectContaining({
        id: 1,
        title: "a",
        due_date: "2026-12-01",
        tags: ["home", "work"],
      }),
    ]);
    const none = await db.rows(db.knex("tasks").where({ user_id: user!.id, id: 3 }).first());
    expect(none).toEqual([]);
    const updated = await db.rows<{ id: number; title: string }>(
      db
        .knex("tasks")
        .where({ user_id: user!.id })
        .update({ title: "c" })
        .returning(["id", "title"]),
    );
    expect(updated.map((row) => row.title)).toEqual(["c", "c"]);
  });

  it("announces each statement on knex's query event and keeps the driver's error code", async () => {
    const seen: string[] = [];
    const listener = (event: { sql: string }) => seen.push(event.sql);
    db.knex.on("query", listener);
    try {
      await db.rows(db.knex.raw("SELECT 1 AS one"));
    } finally {
      db.knex.off("query", listener);
    }
    expect(seen).toEqual(["SELECT 1 AS one"]);
    await expect(db.rows(db.knex("users").insert({ email: "rows@example.com" }))).rejects.toSatisfy(
      isUniqueViolation,
    );
  });
});
