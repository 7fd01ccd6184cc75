// A bad-input sweep over real HTTP (DESIGN §3 "Never a 500 for bad input"): for every route, a
// batch of malformed bodies, queries and headers. Every answer is below 500, and every error is
// problem+json that reveals no internals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PASSWORD,
  startHarness,
  type Harness,
  type Reply,
  type TestUser,
} from "../testing/index.js";

let h: Harness;
let user: TestUser;
beforeAll(async () => {
  h = await startHarness();
  user = await h.user();
  for (let index = 0; index < 3; index += 1)
    await h.task(user, { title: `seed ${index}`, tags: ["seed"] });
});
afterAll(() => h.close());

const SQLISH = [
  "'; DROP TABLE tasks; --",
  "1 OR 1=1",
  '" OR ""="',
  "%' OR '%'='",
  "$1",
  "?",
  "??",
  "\\",
  "\\x00",
];
const UNICODE = [
  "😀".repeat(60),
  "\u202Eevil",
  "\ud800",
  "ß".repeat(200),
  "İstanbul",
  "\u0000",
  "a\u0000b",
  "\t\n\r",
  "\uFEFF",
];

const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  "",
  " ",
  "x".repeat(10_000),
  [],
  [null],
  [[]],
  {},
  { nested: { deeper: [1, 2, 3] } },
  ...SQLISH,
  ...UNICODE,
];

/** Every field any route reads, so each value lands in each field at least once. */
const FIELDS = [
  "title",
  "description",
  "dueDate",
  "priority",
  "tags",
  "completed",
  "email",
  "password",
  "name",
  "refreshToken",
  "currentPassword",
  "newPassword",
];

/** Whole bodies that are not objects, and objects with hostile keys. */
const BODIES: unknown[] = [
  null,
  [],
  [{ title: "x" }],
  "a string",
  42,
  true,
  {},
  JSON.parse('{"__proto__": {"admin": true}, "title": "proto"}'),
  { constructor: { prototype: { admin: true } }, title: "ctor" },
  { title: "x", tags: Array.from({ length: 1000 }, (_, index) => `t${index}`) },
  { title: "x", dueDate: "99999-01-01" },
  { title: "x", dueDate: "2026-13-01" },
  { title: "x", dueDate: 20261201 },
  { title: "x", priority: "HIGH" },
  { email: "a@b.co", password: "\u0000".repeat(8) },
  { email: `${"a".repeat(300)}@example.com`, password: PASSWORD },
  { refreshToken: "x".repeat(600) },
  { currentPassword: "\u0000", newPassword: "😀".repeat(100) },
  ...FIELDS.flatMap((field) => VALUES.map((value) => ({ [field]: value }))),
  ...VALUES.map((value) => ({ title: "ok", tags: [value] })),
];

const ROUTES: [method: string, path: string][] = [
  ["POST", "/api/v1/auth/signup"],
  ["POST", "/api/v1/auth/login"],
  ["POST", "/api/v1/auth/refresh"],
  ["POST", "/api/v1/auth/logout"],
  ["GET", "/api/v1/users/me"],
  ["PATCH", "/api/v1/users/me"],
  ["POST", "/api/v1/users/me/password"],
  ["GET", "/api/v1/tasks"],
  ["POST", "/api/v1/tasks"],
  ["GET", "/api/v1/tasks/1"],
  ["PATCH", "/api/v1/tasks/1"],
  ["PUT", "/api/v1/tasks/1"],
  ["POST", "/api/v1/tasks/1/complete"],
  ["POST", "/api/v1/tasks/1/reopen"],
  ["POST", "/api/v1/tasks/1/restore"],
  ["DELETE", "/api/v1/tasks/2"],
  ["GET", "/health"],
  ["GET", "/ready"],
];

function expectSafe(reply: Reply, label: string): void {
  expect(reply.status, `${label} -> ${JSON.stringify(reply.body)}`).toBeLessThan(500);
  if (reply.status >= 400) {
    expect(reply.headers.get("content-type"), label).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(reply.body), label).not.toMatch(
      /stack|node_modules|syntax error|relation "|violates|pg_/i,
    );
  }
}

describe("bad-input sweep", () => {
  it.each(ROUTES)("%s %s: malformed JSON bodies never yield a 5xx", async (method, path) => {
    for (const body of BODIES) {
      const reply = await h.request(method, path, {
        token: user.token,
        raw: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      expectSafe(reply, `${method} ${path} ${JSON.stringify(body).slice(0, 80)}`);
    }
  });

  it.each(ROUTES)(
    "%s %s: raw bodies and odd content types never yield a 5xx",
    async (method, path) => {
      const raws: [string, string][] = [
        ["{", "application/json"],
        ['{"title": "x"', "application/json"],
        ["\u0000", "application/json"],
        ['{"title":"x"}', "application/json; charset=utf-16"],
        ['{"title":"x"}', "application/json; charset=bogus"],
        ['{"title":"x"}', "application/json; charset=latin1"],
        ['{"title":"x"}', "application/merge-patch+json"],
        ['{"title":"x"}', "text/plain"],
        ['{"title":"x"}', "application/xml"],
        ["title=x", "application/x-www-form-urlencoded"],
        ['{"title":"x"}', "nonsense"],
        ['{"a":'.repeat(5000) + "1" + "}".repeat(5000), "application/json"],
        [`[${"1,".repeat(40_000)}1]`, "application/json"],
        ["x".repeat(200 * 1024), "application/json"],
      ];
      for (const [raw, type] of raws) {
        const reply = await h.request(method, path, {
          token: user.token,
          raw,
          headers: { "content-type": type },
        });
        expectSafe(reply, `${method} ${path} ${type} ${raw.slice(0, 40)}`);
      }
    },
  );

  it.each(ROUTES)("%s %s: hostile headers never yield a 5xx", async (method, path) => {
    const headerSets: Record<string, string>[] = [
      { authorization: `Bearer ${"x".repeat(8000)}` },
      { authorization: "Bearer \u00ff\u00fe" },
      { authorization: `Bearer ${user.token}`, "if-match": '""' },
      { authorization: `Bearer ${user.token}`, "if-match": "*, *" },
      { authorization: `Bearer ${user.token}`, "if-match": `"${"9".repeat(500)}"` },
      { authorization: `Bearer ${user.token}`, "if-match": '"-1"' },
      { authorization: `Bearer ${user.token}`, "if-none-match": '"1", W/"2", *' },
      { authorization: `Bearer ${user.token}`, "x-request-id": "x".repeat(5000) },
      { authorization: `Bearer ${user.token}`, "x-request-id": "\u00ff<script>" },
      { authorization: `Bearer ${user.token}`, accept: "application/xml" },
      { authorization: `Bearer ${user.token}`, "idempotency-key": "k".repeat(5000) },
      { authorization: `Bearer ${user.token}`, "idempotency-key": "" },
      { authorization: `Bearer ${user.token}`, "x-forwarded-for": "'; DROP TABLE users; --" },
      { authorization: `Bearer ${user.token}`, origin: "http://evil.example" },
    ];
    for (const headers of headerSets) {
      const json = method === "GET" || method === "DELETE" ? undefined : { title: "hdr" };
      const reply = await h.request(method, path, { json, headers });
      expectSafe(reply, `${method} ${path} ${JSON.stringify(headers).slice(0, 80)}`);
      if (headers["x-request-id"])
        expect(reply.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("GET /tasks: hostile query strings never yield a 5xx", async () => {
    const queries = [
      "q=%00",
      "q=%27%3B%20DROP%20TABLE%20tasks%3B--",
      "q=%5C",
      "q=%25%25%25",
      "q[]=x",
      "q[a]=x",
      "tag[]=x",
      "tag=%00",
      "tag=a&tag=b&tag=c&tag=d&tag=e&tag=f&tag=g&tag=h&tag=i&tag=j&tag=k&tag=l&tag=m&tag=n&tag=o&tag=p&tag=q&tag=r&tag=s&tag=t&tag=u",
      "limit=1e308",
      "limit=99999999999999999999",
      "limit=0x10",
      "page=1000000",
      "page=1000001",
      "page=1e6",
      "cursor=%00",
      "cursor=" + "A".repeat(1001),
      "cursor=" +
        Buffer.from('["-createdAt","2026-01-01T00:00:00.000Z",99999999999]').toString("base64url"),
      "cursor=" + Buffer.from('["-createdAt","9999-12-31T23:59:59.999Z",1]').toString("base64url"),
      "cursor=" +
        Buffer.from('["-createdAt","+275760-09-13T00:00:00.000Z",1]').toString("base64url"),
      "cursor=" + Buffer.from('["dueDate","9999-12-31",1]').toString("base64url") + "&sort=dueDate",
      "sort=createdAt%00",
      "sort=created_at",
      "dueBefore=99999-01-01",
      "dueAfter=2026-02-29",
      "dueBefore=0001-01-01&dueAfter=9999-12-31",
      "overdue=true&overdue=false",
      "__proto__=x",
      "constructor=x",
      "hasOwnProperty=x",
      "toString=x",
      "%E0%A4%A=1",
      "q=%F0%9F%98%80&tag=%F0%9F%98%80",
      "status=pending&" + "x=1&".repeat(500),
    ];
    for (const query of queries) {
      const reply = await h.request("GET", `/api/v1/tasks?${query}`, { token: user.token });
      expectSafe(reply, query);
    }
  });

  it("path parameters and unknown paths never yield a 5xx", async () => {
    const paths = [
      "/api/v1/tasks/%00",
      "/api/v1/tasks/%E0%A4%A",
      "/api/v1/tasks/..%2F..%2Fusers",
      "/api/v1/tasks/1;DROP",
      "/api/v1/tasks/1/complete/extra",
      "/api/v1/tasks//1",
      "/api/v1//tasks",
      "/api/v1/users/me/password/x",
      "/api/v2/tasks",
      "/%",
    ];
    for (const path of paths) {
      for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD"]) {
        const reply = await h.request(method, path, { token: user.token });
        expect(reply.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  });

  it("DELETE /users/me with odd bodies and headers never yields a 5xx, and deletes only with a valid token", async () => {
    for (const body of ["null", "[]", '{"confirm": true}', "{"]) {
      const victim = await h.user();
      const reply = await h.request("DELETE", "/api/v1/users/me", {
        token: victim.token,
        raw: body,
        headers: { "content-type": "application/json" },
      });
      expectSafe(reply, body);
    }
    const reply = await h.request("DELETE", "/api/v1/users/me", { token: "garbage" });
    expect(reply.status).toBe(401);
    expect((await h.request("GET", "/api/v1/users/me", { token: user.token })).status).toBe(200);
  });
});
