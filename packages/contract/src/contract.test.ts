import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  IdempotencyKey,
  LoginRequest,
  parseEntityTags,
  PasswordChange,
  RefreshRequest,
  SignupRequest,
  TaskCreate,
  TaskId,
  TaskListQuery,
  TaskReplace,
  TaskUpdate,
  UserUpdate,
} from "./index.js";

/** A valid input for each request schema, and the string fields in it. */
const REQUESTS: [string, z.ZodType, Record<string, unknown>, string[]][] = [
  [
    "SignupRequest",
    SignupRequest,
    { email: "a@example.com", password: "correct horse", name: "Ada" },
    ["email", "password", "name"],
  ],
  [
    "LoginRequest",
    LoginRequest,
    { email: "a@example.com", password: "correct horse" },
    ["email", "password"],
  ],
  ["RefreshRequest", RefreshRequest, { refreshToken: "rt_1" }, ["refreshToken"]],
  ["UserUpdate", UserUpdate, { name: "Ada" }, ["name"]],
  [
    "PasswordChange",
    PasswordChange,
    { currentPassword: "old password", newPassword: "new password" },
    ["currentPassword", "newPassword"],
  ],
  ...[TaskCreate, TaskUpdate, TaskReplace].map(
    (schema): [string, z.ZodType, Record<string, unknown>, string[]] => [
      "task body",
      schema,
      { title: "Buy milk", description: "two litres" },
      ["title", "description"],
    ],
  ),
  ["TaskListQuery", TaskListQuery, { q: "milk", cursor: "abc" }, ["q", "cursor"]],
];

describe("the NUL rule lives in the contract", () => {
  it.each(REQUESTS)(
    "%s refuses U+0000 in every string field, naming the field",
    (_name, schema, valid, fields) => {
      expect(schema.safeParse(valid).success).toBe(true);
      for (const field of fields) {
        const result = schema.safeParse({ ...valid, [field]: `a\u0000b` });
        expect(result.success, field).toBe(false);
        expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(field);
        expect(result.error?.issues.map((issue) => issue.message)).toContain(
          "must not contain NUL (U+0000) characters",
        );
      }
    },
  );

  it("refuses U+0000 inside a tag, in a body and in a list query", () => {
    expect(
      TaskCreate.safeParse({ title: "x", tags: ["ok", "b\u0000"] }).error?.issues[0]?.path,
    ).toEqual(["tags", 1]);
    expect(TaskListQuery.safeParse({ tag: "a\u0000" }).success).toBe(false);
  });
});

describe("TaskId", () => {
  it("reads plain digits only", () => {
    expect(TaskId.parse("1")).toBe(1);
    expect(TaskId.parse("0042")).toBe(42);
    expect(TaskId.parse("2147483647")).toBe(2_147_483_647);
    for (const raw of ["0x10", "1e1", " 1", "1 ", "+1", "-1", "1.0", "", "0", "2147483648", "١"]) {
      expect(TaskId.safeParse(raw).success, JSON.stringify(raw)).toBe(false);
    }
  });
});

describe("the list query", () => {
  it("takes up to 20 tags, as many as a task can carry", () => {
    const tags = (count: number) => Array.from({ length: count }, (_, index) => `t${index}`);
    expect(TaskListQuery.safeParse({ tag: tags(20) }).success).toBe(true);
    expect(TaskListQuery.safeParse({ tag: tags(21) }).success).toBe(false);
  });
});

describe("header rules", () => {
  it("parses entity-tag lists (RFC 9110 §8.8.3): *, strong, weak, lists; anything else matches nothing", () => {
    expect(parseEntityTags(" * ")).toBe("*");
    expect(parseEntityTags('"3"')).toEqual([{ weak: false, opaque: "3" }]);
    expect(parseEntityTags('W/"3", "4" ,"x-y"')).toEqual([
      { weak: true, opaque: "3" },
      { weak: false, opaque: "4" },
      { weak: false, opaque: "x-y" },
    ]);
    for (const bad of ["3", '"3', '"3" "4"', "*, *", 'w/"3"', '"a"b"', ","]) {
      expect(parseEntityTags(bad), bad).toEqual([]);
    }
  });

  it("accepts Idempotency-Keys of 1–255 visible ASCII characters, bare or quoted", () => {
    expect(IdempotencyKey.parse('"a\\"b"')).toBe('a"b');
    for (const key of ["abc", "550e8400-e29b-41d4-a716-446655440000", '"abc"', "k".repeat(255)])
      expect(IdempotencyKey.safeParse(key).success, key).toBe(true);
    for (const key of ["", "a b", "k".repeat(256), "é", '""'])
      expect(IdempotencyKey.safeParse(key).success, key).toBe(false);
  });
});
