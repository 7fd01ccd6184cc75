// Quick add over real HTTP: POST /tasks/quick creates as POST /tasks does (201, Location, ETag,
// Idempotency-Key) and says what it understood; POST /tasks/parse previews and creates nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness, type TestUser } from "../testing/index.js";

let h: Harness;
let user: TestUser;
beforeAll(async () => {
  h = await startHarness();
  user = await h.user();
});
afterAll(() => h.close());

const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  h.request("POST", `/api/v1${path}`, { token: user.token, json, headers });

describe("POST /tasks/quick", () => {
  it("creates the task the line describes, with Location and ETag, and says what it understood", async () => {
    const reply = await post("/tasks/quick", {
      text: 'Pay "rent #2" every month on the 1st #home !high',
    });
    expect(reply.status).toBe(201);
    const { task, parsed } = reply.body;
    expect(task).toMatchObject({
      title: "Pay rent #2",
      tags: ["home"],
      priority: "high",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      recurrenceText: "every month on the 1st",
      completed: false,
    });
    expect(task.dueDate).toMatch(/^\d{4}-\d\d-01$/);
    expect(parsed).toEqual({
      title: "Pay rent #2",
      dueDate: task.dueDate,
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      recurrenceText: "every month on the 1st",
      tags: ["home"],
      priority: "high",
      project: null,
    });
    expect(reply.headers.get("location")).toBe(`/api/v1/tasks/${task.id}`);
    expect(reply.headers.get("etag")).toBe(`"${task.version}"`);
    const fetched = await h.request("GET", `/api/v1/tasks/${task.id}`, { token: user.token });
    expect(fetched.body).toEqual(task);
  });

  it("puts the task in the project +name names, whatever the case", async () => {
    const project = await h.api.services.projects.create({ userId: user.id }, { name: "Bills" });
    const reply = await post("/tasks/quick", { text: "Pay rent +bills" });
    expect(reply.status).toBe(201);
    expect(reply.body.task).toMatchObject({ title: "Pay rent", projectId: project.id });
    expect(reply.body.parsed.project).toBe("bills");
  });

  it("lets the request's fields win over the line's words, adding its tags", async () => {
    const reply = await post("/tasks/quick", {
      text: "Buy milk tomorrow #shop !low",
      dueDate: "2030-01-02",
      priority: "medium",
      tags: ["dairy"],
      description: "semi-skimmed",
    });
    expect(reply.status).toBe(201);
    expect(reply.body.task).toMatchObject({
      title: "Buy milk",
      dueDate: "2030-01-02",
      priority: "medium",
      tags: ["shop", "dairy"],
      description: "semi-skimmed",
    });
  });

  it("replays a retry with the same Idempotency-Key instead of making a second task", async () => {
    const headers = { "Idempotency-Key": "quick-add-retry-1" };
    const first = await post("/tasks/quick", { text: "Once only tomorrow" }, headers);
    const again = await post("/tasks/quick", { text: "Once only tomorrow" }, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const list = await h.request("GET", "/api/v1/tasks?q=Once%20only", { token: user.token });
    expect(list.body.data).toHaveLength(1);
  });

  it("answers 422 on text for a line with no title, an unknown project, and a bad body", async () => {
    for (const [json, path] of [
      [{ text: "#home !high tomorrow" }, "text"],
      [{ text: "Buy milk +nosuchproject" }, "text"],
      [{ text: "" }, "text"],
      [{}, "text"],
      [{ text: "x", title: "y" }, "title"],
      [{ text: "x".repeat(201) }, "title"],
    ] as const) {
      const reply = await post("/tasks/quick", json);
      expect(reply.status, JSON.stringify(json)).toBe(422);
      expect(reply.body.code).toBe("validation_failed");
      expect(reply.body.errors[0].path, JSON.stringify(json)).toBe(path);
    }
    const project = await post("/tasks/quick", { text: "Buy milk +Errands" });
    expect(project.body.detail).toBe('Invalid body: text names no project called "Errands".');
  });
});

describe("POST /tasks/parse", () => {
  it("answers what the line says and creates nothing", async () => {
    const before = await h.request("GET", "/api/v1/tasks?q=Preview", { token: user.token });
    const reply = await post("/tasks/parse", { text: "Preview me every weekday #x" });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      title: "Preview me",
      recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
      recurrenceText: "every weekday",
      tags: ["x"],
      priority: null,
      project: null,
    });
    const after = await h.request("GET", "/api/v1/tasks?q=Preview", { token: user.token });
    expect(after.body.data).toEqual(before.body.data);
    expect(after.body.data).toEqual([]);
  });
});
