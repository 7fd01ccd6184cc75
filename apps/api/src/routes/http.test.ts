// HTTP semantics every client relies on (RFC 9110, RFC 6750), each checked over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness, type Reply, type TestUser } from "../testing/index.js";

let h: Harness;
let user: TestUser;
beforeAll(async () => {
  h = await startHarness();
  user = await h.user();
});
afterAll(() => h.close());

const call = (method: string, path: string, init: Parameters<Harness["request"]>[2] = {}) =>
  h.request(method, `/api/v1${path}`, { token: user.token, ...init });

const expectProblem = (reply: Reply, status: number, code: string) => {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, code });
};

describe("GET /", () => {
  it("points a newcomer to the docs, the OpenAPI document and the API", async () => {
    const reply = await h.request("GET", "/");
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ docs: "/docs", openapi: "/openapi.json", api: "/api/v1" });
    expect((await h.request("GET", reply.body.docs)).status).toBe(200);
  });
});

describe("If-None-Match (RFC 9110 §13.1.2), evaluated as an origin server", () => {
  it("answers 304 for a matching ETag whatever Cache-Control the request carries: strong, weak, in a list, or *", async () => {
    const task = await h.task(user);
    const etag = `"${task.version}"`;
    for (const condition of [etag, `W/${etag}`, `"99", ${etag}`, `W/"98" , W/${etag}`, "*"]) {
      for (const cacheControl of [undefined, "no-cache", "max-age=0", "no-store"]) {
        const reply = await call("GET", `/tasks/${task.id}`, {
          headers: {
            "if-none-match": condition,
            ...(cacheControl ? { "cache-control": cacheControl } : {}),
          },
        });
        expect(reply.status, `${condition} / ${cacheControl}`).toBe(304);
        expect(reply.body).toBeNull();
        expect(reply.headers.get("etag")).toBe(etag);
      }
    }
  });

  it("answers 200 with the task when no tag matches, or the condition is malformed", async () => {
    const task = await h.task(user);
    for (const condition of ['"99"', 'W/"99", "98"', "garbage", `"${task.version}`]) {
      const reply = await call("GET", `/tasks/${task.id}`, {
        headers: { "if-none-match": condition, "cache-control": "no-cache" },
      });
      expect(reply.status, condition).toBe(200);
      expect(reply.body).toEqual(task);
    }
  });

  it("never turns an error into a 304: a missing task with If-None-Match: * is 404", async () => {
    expectProblem(
      await call("GET", "/tasks/999999", { headers: { "if-none-match": "*" } }),
      404,
      "not_found",
    );
  });

  it("applies to the OpenAPI document and the docs page too", async () => {
    for (const path of ["/openapi.json", "/docs", "/docs/init.js"]) {
      const first = await h.request("GET", path);
      const etag = first.headers.get("etag") ?? "";
      const again = await h.request("GET", path, {
        headers: { "if-none-match": `W/${etag}`, "cache-control": "no-cache" },
      });
      expect(again.status, path).toBe(304);
    }
  });
});

describe("If-Match (RFC 9110 §13.1.1)", () => {
  it("answers every 412 with the task's current ETag, whatever made the condition fail", async () => {
    const task = await h.task(user);
    const changed = (await call("PATCH", `/tasks/${task.id}`, { json: { title: "v2" } })).body;
    for (const condition of ['"1"', 'W/"2"', "2", "garbage", '"1", "2"', `"${"9".repeat(20)}"`]) {
      const reply = await call("PATCH", `/tasks/${task.id}`, {
        json: { title: "v3" },
        headers: { "if-match": condition },
      });
      expectProblem(reply, 412, "precondition_failed");
      expect(reply.headers.get("etag"), condition).toBe(`"${changed.version}"`);
    }
    expect((await call("GET", `/tasks/${task.id}`)).body).toEqual(changed);
  });
});

describe("operations without a request body", () => {
  it("ignore a body sent anyway, whatever its media type or syntax, instead of answering 400 or 415", async () => {
    const task = await h.task(user);
    for (const [type, raw] of [
      ["text/plain", "hello"],
      ["application/json", "{"],
      ["application/xml", "<done/>"],
    ] as const) {
      const headers = { "content-type": type };
      expect((await call("GET", "/tasks", { raw, headers })).status, type).toBe(200);
      expect((await call("GET", `/tasks/${task.id}`, { raw, headers })).status).toBe(200);
      expect((await call("GET", "/users/me", { raw, headers })).status).toBe(200);
      expect((await call("POST", `/tasks/${task.id}/complete`, { raw, headers })).status).toBe(200);
      expect((await h.request("GET", "/health", { raw, headers })).status).toBe(200);
    }
    expect((await call("DELETE", `/tasks/${task.id}`, { raw: "{", headers: {} })).status).toBe(204);
  });
});

describe("unknown methods and paths", () => {
  it("answers OPTIONS on a known path with 204 and Allow, and an unknown path with 404", async () => {
    const reply = await call("OPTIONS", "/tasks/1");
    expect(reply.status).toBe(204);
    expect(reply.headers.get("allow")).toBe("HEAD, GET, PATCH, PUT, DELETE");
    expectProblem(await call("OPTIONS", "/nowhere"), 404, "not_found");
  });
});

describe("task ids", () => {
  it("take plain digits only: 0x10, 1e1 or +1 never name task 16, 10 or 1", async () => {
    for (let index = 0; index < 16; index++) await h.task(user);
    for (const id of ["0x10", "1e1", "+1", "%201", "1%20", "1.0"]) {
      expectProblem(await call("GET", `/tasks/${id}`), 422, "validation_failed");
    }
    expect((await call("GET", "/tasks/0016")).status).toBe(200);
  });
});

describe("Bearer challenges (RFC 6750 §3)", () => {
  it('adds error="invalid_token" for a refused token, and no error code for a missing one', async () => {
    for (const token of ["garbage", `${user.token}x`, "a.b.c"]) {
      const reply = await call("GET", "/tasks", { token });
      expectProblem(reply, 401, "unauthorized");
      expect(reply.headers.get("www-authenticate")).toMatch(
        /^Bearer realm="todo", error="invalid_token"/,
      );
    }
    const missing = await h.request("GET", "/api/v1/tasks");
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="todo"');
  });
});
