// Ownership over real HTTP (DESIGN §3 "Ownership"): another user's task answers exactly like a
// missing one, through every task endpoint, and is never changed by the attempt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, withoutRequestId, type Harness, type TestUser } from "../testing/index.js";

let h: Harness;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  h = await startHarness();
  alice = await h.user("alice@example.com");
  bob = await h.user("bob@example.com");
});
afterAll(() => h.close());

/** Every endpoint that names one task, with a body where it takes one. */
const ENDPOINTS: [method: string, suffix: string, json?: unknown][] = [
  ["GET", ""],
  ["PATCH", "", { title: "hijacked" }],
  ["PUT", "", { title: "hijacked" }],
  ["DELETE", ""],
  ["POST", "/complete"],
  ["POST", "/reopen"],
  ["POST", "/restore"],
];

describe("ownership", () => {
  it("gives each user their own task numbers: both have a task 1", async () => {
    const a = await h.task(alice, { title: "alice's first" });
    const b = await h.task(bob, { title: "bob's first" });
    expect(a.id).toBe(1);
    expect(b.id).toBe(1);
    expect((await h.request("GET", "/api/v1/tasks/1", { token: alice.token })).body.title).toBe(
      "alice's first",
    );
    expect((await h.request("GET", "/api/v1/tasks/1", { token: bob.token })).body.title).toBe(
      "bob's first",
    );
  });

  it("answers another user's task exactly like a missing one (404, same body) on every endpoint, with and without If-Match, and changes nothing", async () => {
    // Alice has tasks 1..3 (3 is soft-deleted, for restore); Bob has only task 1.
    await h.task(alice, { title: "alice two", description: "secret", tags: ["private"] });
    const deleted = await h.task(alice, { title: "alice three" });
    expect(
      (await h.request("DELETE", `/api/v1/tasks/${deleted.id}`, { token: alice.token })).status,
    ).toBe(204);
    const before = await h.api.db.tasks.ofOwner(alice.id);

    for (const [method, suffix, json] of ENDPOINTS) {
      for (const headers of [{}, { "if-match": '"1"' }, { "if-match": '"999"' }] as Record<
        string,
        string
      >[]) {
        const missing = await h.request(method, `/api/v1/tasks/9999${suffix}`, {
          token: bob.token,
          json,
          headers,
        });
        for (const id of [2, 3]) {
          const foreign = await h.request(method, `/api/v1/tasks/${id}${suffix}`, {
            token: bob.token,
            json,
            headers,
          });
          const label = `${method} /tasks/${id}${suffix} ${JSON.stringify(headers)}`;
          expect(foreign.status, label).toBe(404);
          expect(foreign.headers.get("content-type"), label).toMatch(/^application\/problem\+json/);
          expect(foreign.headers.get("etag"), label).toBeNull();
          expect(missing.status, label).toBe(404);
          // The detail names the requested number, so compare against the same number's shape.
          const normalise = (body: unknown) =>
            JSON.stringify(withoutRequestId(body)).replaceAll(/\b(9999|2|3)\b/g, "N");
          expect(normalise(foreign.body), label).toBe(normalise(missing.body));
          expect(foreign.body.code).toBe("not_found");
        }
      }
    }
    const after = await h.api.db.tasks.ofOwner(alice.id);
    expect(after).toEqual(before);
    expect((await h.request("GET", "/api/v1/tasks/2", { token: alice.token })).body).toMatchObject({
      title: "alice two",
      version: 1,
    });
    expect((await h.request("GET", "/api/v1/tasks/3", { token: alice.token })).status).toBe(404);
  });

  it("gives the same 404 body for a foreign id and a missing id with the same number", async () => {
    // Bob has task 1 only; Alice has task 2. Bob asking for 2 must look like asking for any missing number.
    const carol = await h.user();
    const foreign = await h.request("GET", "/api/v1/tasks/2", { token: bob.token });
    const missing = await h.request("GET", "/api/v1/tasks/2", { token: carol.token });
    expect(foreign.status).toBe(404);
    expect(withoutRequestId(foreign.body)).toEqual(withoutRequestId(missing.body));
  });

  it("never lists another user's tasks, under any filter or paging mode", async () => {
    const queries = [
      "",
      "?status=all",
      "?q=alice",
      "?tag=private",
      "?sort=title&limit=100",
      "?page=1",
      "?status=completed",
    ];
    for (const query of queries) {
      const list = await h.request("GET", `/api/v1/tasks${query}`, { token: bob.token });
      expect(list.status, query).toBe(200);
      expect(
        list.body.data.every((task: { title: string }) => task.title.startsWith("bob")),
        query,
      ).toBe(true);
    }
    const all = await h.request("GET", "/api/v1/tasks?page=1", { token: bob.token });
    expect(all.body.meta.total).toBe(1);
    const alices = await h.request("GET", "/api/v1/tasks?q=alice&page=1", { token: alice.token });
    expect(alices.body.meta.total).toBe(2);
  });

  it("numbers tasks per user independently and never reuses a number after a delete", async () => {
    const dave = await h.user();
    const first = await h.task(dave);
    await h.request("DELETE", `/api/v1/tasks/${first.id}`, { token: dave.token });
    expect((await h.task(dave)).id).toBe(2);
    expect((await h.task(bob)).id).toBe(2);
  });
});
