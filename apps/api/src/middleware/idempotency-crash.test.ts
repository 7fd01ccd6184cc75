// An API process dying in the middle of a keyed request, around the COMMIT of its transaction: the
// server's connections are cut (the client never hears back), and the retry comes on a new one.
import { randomUUID } from "node:crypto";
import type { ObservedStatement } from "@todo/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signup, startTestApi, type TestApi } from "../testing/index.js";

/** What the next matching statement does before it is sent; cleared once it ran. */
let trap: { matches: (statement: ObservedStatement) => boolean; spring: () => void } | undefined;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi(
    {},
    {
      onStatement: (statement) => {
        if (!trap?.matches(statement)) return;
        const { spring } = trap;
        trap = undefined;
        spring();
      },
    },
  );
});
afterAll(() => api.close());

const isTaskInsert = ({ sql }: ObservedStatement) =>
  /^\s*(WITH|INSERT)\b[\s\S]*INTO tasks/i.test(sql);
const isCommit = ({ sql }: ObservedStatement) => /^COMMIT/i.test(sql.trim());

function createTask(token: string, key: string): Promise<Response> {
  return fetch(`${api.url}/api/v1/tasks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "idempotency-key": key,
    },
    body: JSON.stringify({ title: "Survive the crash" }),
  });
}

async function taskIds(token: string): Promise<number[]> {
  const response = await fetch(`${api.url}/api/v1/tasks?status=all`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { data: { id: number }[] }).data.map((task) => task.id);
}

describe("an Idempotency-Key across a dying API process", () => {
  it("replays to the retry the write committed just before the process died without answering", async () => {
    const { token } = await signup(api.url);
    const key = randomUUID();
    // At COMMIT every connection is cut: the transaction commits, no answer ever leaves.
    trap = { matches: isCommit, spring: () => api.server.closeAllConnections() };
    await expect(createTask(token, key)).rejects.toThrow();
    expect(trap).toBeUndefined();
    expect(await taskIds(token)).toHaveLength(1);

    const retry = await createTask(token, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const [id] = await taskIds(token);
    expect(((await retry.json()) as { id: number }).id).toBe(id);
    expect(await taskIds(token)).toHaveLength(1);
  });

  it("leaves neither task nor key when the process died before COMMIT, so the retry runs at once", async () => {
    const { token, id: userId } = await signup(api.url);
    const key = randomUUID();
    // The task's INSERT is the last thing this process does: its connections are cut and the
    // statement never reaches the database, whose transaction rolls back.
    trap = {
      matches: isTaskInsert,
      spring: () => {
        api.server.closeAllConnections();
        throw new Error("the process died");
      },
    };
    await expect(createTask(token, key)).rejects.toThrow();
    expect(trap).toBeUndefined();
    expect(await taskIds(token)).toEqual([]);
    expect(await api.db.idempotencyKeys.find(userId, key)).toBeUndefined();

    const retry = await createTask(token, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await taskIds(token)).toHaveLength(1);
  });
});
