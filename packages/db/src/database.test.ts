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
