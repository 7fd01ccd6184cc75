import { randomUUID } from "node:crypto";
import { DomainError } from "@todo/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signup, startTestApi, type TestApi } from "../testing/index.js";
import { parseIdempotencyKey, requestFingerprint } from "./idempotency.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

function post(path: string, token: string, body: unknown, key?: string): Promise<Response> {
  return fetch(`${api.url}/api/v1${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function taskCount(token: string): Promise<number> {
  const response = await fetch(`${api.url}/api/v1/tasks?status=all&page=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { meta: { total: number } }).meta.total;
}

describe("Idempotency-Key on POST /tasks", () => {
  it("replays the first response exactly (status, body bytes, Location, ETag) and creates one task", async () => {
    const { token } = await signup(api.url);
    const key = randomUUID();
    const first = await post("/tasks", token, { title: "Buy milk", tags: ["home"] }, key);
    const firstText = await first.text();
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    // Same body with the keys in another order is the same request.
    const retry = await post("/tasks", token, { tags: ["home"], title: "Buy milk" }, key);
    expect(retry.status).toBe(201);
    expect(await retry.text()).toBe(firstText);
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    expect(retry.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(retry.headers.get("content-type")).toMatch(/^application\/json/);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await taskCount(token)).toBe(1);
  });

  it("answers 422 idempotency_conflict for the same key with another body, creating nothing", async () => {
    const { token } = await signup(api.url);
    const key = randomUUID();
    expect((await post("/tasks", token, { title: "one" }, key)).status).toBe(201);
    const other = await post("/tasks", token, { title: "two" }, key);
    expect(other.status).toBe(422);
    expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await other.json()) as { code: string }).code).toBe("idempotency_conflict");
    expect(await taskCount(token)).toBe(1);
  });

  it("answers 409 idempotency_conflict while the first request with the key is still running (PGlite: waits, then runs)", async () => {
    const { token, id: userId } = await signup(api.url);
    const key = randomUUID();
    const body = { title: "slow" };
    // A first request holding the key in its open transaction, as a request mid-flight does.
    const fingerprint = requestFingerprint("POST", "/api/v1/tasks", body);
    let die!: () => void;
    const dying = new Promise<void>((resolve) => (die = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = api.services.idempotency.run(userId, key, fingerprint, async () => {
      started();
      await dying;
      throw new Error("the first request died before COMMIT");
    });
    await running;

    const retry = post("/tasks", token, body, key);
    if (api.db.dialect === "postgres") {
      const refused = await retry;
      expect(refused.status).toBe(409);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(((await refused.json()) as { code: string }).code).toBe("idempotency_conflict");
      expect(await taskCount(token)).toBe(0);
      die();
      await expect(first).rejects.toThrow("died");
      expect((await post("/tasks", token, body, key)).status).toBe(201);
    } else {
      // One connection: the retry waits for the first transaction, then runs (it left nothing).
      die();
      await expect(first).rejects.toThrow("died");
      const ran = await retry;
      expect(ran.status).toBe(201);
      expect(ran.headers.get("idempotent-replayed")).toBeNull();
    }
    expect(await taskCount(token)).toBe(1);
  });

  it("makes exactly one task from concurrent retries with one key", async () => {
    const { token } = await signup(api.url);
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post("/tasks", token, { title: "once" }, key)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    expect(statuses).toContain(201);
    expect(await taskCount(token)).toBe(1);
    // Once the first finished, a retry replays it.
    const later = await post("/tasks", token, { title: "once" }, key);
    expect(later.status).toBe(201);
    expect(later.headers.get("idempotent-replayed")).toBe("true");
  });

  it("keeps keys per user: another user's identical key is a new request", async () => {
    const ada = await signup(api.url);
    const bob = await signup(api.url);
    const key = randomUUID();
    const adas = await post("/tasks", ada.token, { title: "mine" }, key);
    const bobs = await post("/tasks", bob.token, { title: "mine" }, key);
    expect(adas.status).toBe(201);
    expect(bobs.status).toBe(201);
    expect(bobs.headers.get("idempotent-replayed")).toBeNull();
    expect(await taskCount(ada.token)).toBe(1);
    expect(await taskCount(bob.token)).toBe(1);
  });

  it("does not keep a failed first request: after a 422 the same key runs afresh with a corrected body", async () => {
    const { token } = await signup(api.url);
    const key = randomUUID();
    const bad = await post("/tasks", token, { title: "" }, key);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { code: string }).code).toBe("validation_failed");
    const good = await post("/tasks", token, { title: "fixed" }, key);
    expect(good.status).toBe(201);
    expect(good.headers.get("idempotent-replayed")).toBeNull();
    expect(await taskCount(token)).toBe(1);
  });

  it("treats a key older than 24 hours as unused", async () => {
    const { token, id: userId } = await signup(api.url);
    const key = randomUUID();
    const first = await post("/tasks", token, { title: "daily" }, key);
    expect(first.status).toBe(201);
    await api.db.sql(
      "UPDATE idempotency_keys SET created_at = $1 WHERE user_id = $2 AND key = $3",
      [new Date(Date.now() - 25 * 60 * 60 * 1000), userId, key],
    );
    const again = await post("/tasks", token, { title: "daily" }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(again.headers.get("location")).not.toBe(first.headers.get("location"));
    expect(await taskCount(token)).toBe(2);
  });

  it.each([
    ["empty", ""],
    ["too long", "k".repeat(256)],
    ["with a space", "two words"],
    ["non-ASCII", "clé"],
  ])("refuses a malformed key (%s) with 422 and creates nothing", async (_, key) => {
    const { token } = await signup(api.url);
    const response = await fetch(`${api.url}/api/v1/tasks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "idempotency-key": encodeHeader(key),
      },
      body: JSON.stringify({ title: "x" }),
    });
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors[0]?.path).toBe("Idempotency-Key");
    expect(await taskCount(token)).toBe(0);
  });

  it("accepts the draft's quoted structured-field form as the same key as the bare form", async () => {
    const { token } = await signup(api.url);
    const first = await post("/tasks", token, { title: "quoted" }, '"abc-123"');
    const second = await post("/tasks", token, { title: "quoted" }, "abc-123");
    expect(first.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await taskCount(token)).toBe(1);
  });
});

describe("Idempotency-Key on the other task POSTs", () => {
  it("replays complete, and refuses the key on another task's complete with 422", async () => {
    const { token } = await signup(api.url);
    const a = (await (await post("/tasks", token, { title: "a" })).json()) as { id: number };
    const b = (await (await post("/tasks", token, { title: "b" })).json()) as { id: number };
    const key = randomUUID();
    const done = await post(`/tasks/${a.id}/complete`, token, undefined, key);
    expect(done.status).toBe(200);
    const again = await post(`/tasks/${a.id}/complete`, token, undefined, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("etag")).toBe(done.headers.get("etag"));
    const elsewhere = await post(`/tasks/${b.id}/complete`, token, undefined, key);
    expect(elsewhere.status).toBe(422);
  });

  it("does not poison the key when restore fails with 404", async () => {
    const { token } = await signup(api.url);
    const key = randomUUID();
    expect((await post("/tasks/99/restore", token, undefined, key)).status).toBe(404);
    expect((await post("/tasks/99/restore", token, undefined, key)).status).toBe(404);
  });
});

describe("the Idempotency-Key header and the request fingerprint", () => {
  it("parses keys: bare or as a quoted structured-field string; 1–255 visible ASCII", () => {
    expect(parseIdempotencyKey("8e03978e-40d5-43e8-bc93-6894a57f9324")).toBe(
      "8e03978e-40d5-43e8-bc93-6894a57f9324",
    );
    expect(parseIdempotencyKey('"a\\"b"')).toBe('a"b');
    expect(() => parseIdempotencyKey("")).toThrow(DomainError);
    expect(() => parseIdempotencyKey('""')).toThrow(DomainError);
    expect(() => parseIdempotencyKey("x".repeat(256))).toThrow(DomainError);
    expect(() => parseIdempotencyKey("tab\there")).toThrow(DomainError);
  });

  it("fingerprints method, path and body; key order in the body does not matter", () => {
    const base = requestFingerprint("POST", "/api/v1/tasks", { title: "a", tags: ["x"] });
    expect(requestFingerprint("post", "/api/v1/tasks", { tags: ["x"], title: "a" })).toBe(base);
    expect(requestFingerprint("POST", "/api/v1/tasks", { title: "b", tags: ["x"] })).not.toBe(base);
    expect(
      requestFingerprint("POST", "/api/v1/tasks/1/complete", { title: "a", tags: ["x"] }),
    ).not.toBe(base);
    expect(requestFingerprint("POST", "/api/v1/tasks", { title: "a", tags: ["y", "x"] })).not.toBe(
      requestFingerprint("POST", "/api/v1/tasks", { title: "a", tags: ["x", "y"] }),
    );
  });
});

/** Header values must be ByteStrings for fetch; send non-ASCII as raw UTF-8 bytes (Latin-1 view). */
function encodeHeader(value: string): string {
  return Buffer.from(value, "utf8").toString("latin1");
}
