// Property-based tests (fast-check) over real HTTP against a real database: for every declared
// operation, requests generated from its declaration (the OpenAPI document built from it and the
// contract), valid and hostile alike: bodies, queries, headers, path ids and tokens. Whatever is
// sent, the answer is never a 5xx, is one of the statuses the document lists for the operation,
// is problem+json when it is a 4xx, and a refused request changes no data.
import { dereference } from "@readme/openapi-parser";
import fc from "fast-check";
import type { OpenAPIV3_1 } from "openapi-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi/document.js";
import { OPERATIONS } from "./routes/index.js";
import {
  bodyFor,
  fromSchema,
  hostileJson,
  hostileString,
  validOrHostile,
} from "./testing/arbitraries.js";
import {
  send,
  signJwt,
  signup,
  startHarness,
  type Harness,
  type TestUser,
} from "./testing/index.js";

let h: Harness;
let user: TestUser;
let document: OpenAPIV3_1.Document;
let tokens: Record<"valid" | "expired" | "forged", string>;

beforeAll(async () => {
  h = await startHarness();
  user = await h.user();
  for (let index = 0; index < 3; index++) await h.task(user, { title: `seed ${index}` });
  await h.request("DELETE", "/api/v1/tasks/3", { token: user.token });
  document = await dereference<OpenAPIV3_1.Document>(
    structuredClone(buildOpenApiDocument(OPERATIONS)) as OpenAPIV3_1.Document,
  );
  const { jwt } = h.api.config;
  const claims = { sub: user.id, iss: jwt.issuer, aud: jwt.audience, iat: 1_700_000_000 };
  tokens = {
    valid: user.token,
    expired: signJwt({ ...claims, exp: 1_700_000_060 }, jwt.secret),
    forged: signJwt({ ...claims, exp: 4_000_000_000 }, "a-secret-that-is-not-the-api-secret!!"),
  };
});
afterAll(() => h.close());

/**
 * A digest of every row a request could change: tasks, users, sessions and idempotency keys
 * (rate-limit counters are off in tests, and are not data).
 */
async function dataDigest(): Promise<string> {
  const tables = ["tasks", "users", "refresh_tokens", "idempotency_keys"];
  const sql = tables
    .map(
      (table) =>
        `(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table} t)`,
    )
    .join(" || ");
  const [row] = await h.api.db.sql<{ digest: string }>(`SELECT ${sql} AS digest`);
  return row?.digest ?? "";
}

/** A request as generated: everything the client controls. */
interface Generated {
  readonly path: string;
  readonly query: string;
  readonly authorization: keyof typeof tokens | "none" | "garbage" | "basic";
  readonly headers: Record<string, string>;
  readonly body?: { readonly raw: string; readonly type?: string | undefined } | undefined;
}

/**
 * A header value Node will send (visible ASCII and inner spaces), short enough that the header
 * section stays under the server's limit: over it, the server itself answers 431 before any
 * operation runs (tested in http-server.test.ts).
 */
const headerValue = (value: unknown): string | undefined => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text !== undefined &&
    text.length <= 512 &&
    /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(text)
    ? text
    : undefined;
};

/** `text` with each unpaired surrogate replaced by U+FFFD, as a URL encoder needs it. */
const wellFormed = (text: string): string =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/** Percent-encodes a path segment; an unpaired surrogate goes as the raw bytes a client could send. */
const encodePathSegment = (id: string): string => {
  try {
    return encodeURIComponent(id);
  } catch {
    return "%ED%A0%80";
  }
};

const PATH_IDS = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("1", "2", "3", "4", "999999", "0001") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "0",
      "-1",
      "0x1",
      "1e1",
      " 1",
      "+1",
      "1.0",
      "2147483648",
      "9".repeat(30),
    ),
  },
  { weight: 1, arbitrary: hostileString.filter((id) => id !== "") },
);

const CONDITIONS = fc.oneof(
  fc.constantFrom('"1"', '"2"', 'W/"1"', "*", '"1", "2"', "garbage", '"99999999999"', '""'),
  fc.integer({ min: 0, max: 5 }).map((version) => `"${version}"`),
  fc.string({ maxLength: 20 }),
);

/** Requests for `operation`, built from its documented parameters and body. */
function requests(operation: OpenAPIV3_1.OperationObject, path: string): fc.Arbitrary<Generated> {
  const parameters = (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[];
  const pathIds = parameters
    .filter((parameter) => parameter.in === "path")
    .map((parameter) => PATH_IDS.map((id) => [parameter.name, id] as const));
  const query = parameters
    .filter((parameter) => parameter.in === "query")
    .map((parameter) =>
      fc
        .option(validOrHostile(parameter.schema as OpenAPIV3_1.SchemaObject), { freq: 2 })
        .map((value) => [parameter.name, value] as const),
    );
  const headers = parameters
    .filter((parameter) => parameter.in === "header")
    .map((parameter) =>
      fc
        .option(
          parameter.name === "If-Match" || parameter.name === "If-None-Match"
            ? CONDITIONS
            : fc.oneof(fromSchema(parameter.schema as OpenAPIV3_1.SchemaObject), hostileJson),
          { freq: 2 },
        )
        .map((value) => [parameter.name, value === null ? undefined : headerValue(value)] as const),
    );
  const bodySchema = (operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)
    ?.content?.["application/json"]?.schema;
  const body = bodySchema
    ? fc.oneof(
        {
          weight: 8,
          arbitrary: bodyFor(bodySchema).map((value) => ({
            raw: JSON.stringify(value) ?? "null",
            type: "application/json",
          })),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            raw: fc.oneof(hostileString, fc.constantFrom("{", '{"a":', "[1,", "null")),
            type: fc.constantFrom(
              "application/json",
              "text/plain",
              "application/x-www-form-urlencoded",
              undefined,
            ),
          }),
        },
      )
    : // No body is declared: any content sent anyway must be ignored.
      fc.option(
        fc.record({
          raw: fc.oneof(
            hostileString,
            hostileJson.map((value) => JSON.stringify(value) ?? ""),
          ),
          type: fc.constantFrom("application/json", "text/plain", "application/xml", undefined),
        }),
        { freq: 2, nil: undefined },
      );
  return fc.record({
    path: fc
      .tuple(...pathIds)
      .map((ids) =>
        ids.reduce((built, [name, id]) => built.replace(`{${name}}`, encodePathSegment(id)), path),
      ),
    query: fc.tuple(...query).map((pairs) => {
      const search = new URLSearchParams();
      for (const [name, value] of pairs) {
        if (value === null || value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) {
          const text = typeof item === "string" ? item : (JSON.stringify(item) ?? "");
          // Keeps the request line under the server's limit (a longer one is 431, see above).
          if (text.length <= 512) search.append(name, wellFormed(text));
        }
      }
      return search.size ? `?${search.toString()}` : "";
    }),
    authorization: fc.oneof(
      { weight: 8, arbitrary: fc.constant("valid" as const) },
      { weight: 1, arbitrary: fc.constantFrom("none", "garbage", "basic", "expired", "forged") },
    ),
    headers: fc
      .tuple(...headers)
      .map((pairs) =>
        Object.fromEntries(pairs.filter((pair): pair is [string, string] => pair[1] !== undefined)),
      ),
    body,
  });
}

/** Runs per operation: enough for a few thousand requests in all, fewer where each is costly. */
function runsFor(operationId: string, tag: string): number {
  if (operationId === "deleteMe") return 12; // each run signs a victim up (argon2id)
  if (operationId === "signup" || operationId === "login" || operationId === "changePassword")
    return 40;
  if (tag === "Service") return 12;
  return 150;
}

describe("every operation, under generated requests", () => {
  // A stream stays open once accepted: GET /events is tested in routes/sync.test.ts.
  it.each(
    OPERATIONS.filter((operation) => !operation.stream).map(
      (operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation] as const,
    ),
  )(
    "%s: never a 5xx, only documented statuses, problem+json on 4xx, no data changed when refused",
    async (_name, declared) => {
      const operation = document.paths?.[declared.path]?.[declared.method];
      expect(operation, declared.operationId).toBeDefined();
      const documented = Object.keys(operation?.responses ?? {}).map(Number);
      await fc.assert(
        fc.asyncProperty(requests(operation!, declared.path), async (request) => {
          let token: string | undefined = tokens.valid;
          if (request.authorization !== "valid") {
            token =
              request.authorization in tokens
                ? tokens[request.authorization as "expired"]
                : undefined;
          } else if (declared.operationId === "deleteMe") {
            token = (await signup(h.api.url)).token; // deleting the shared account would end the run
          }
          const headers: Record<string, string> = { ...request.headers };
          if (token) headers.authorization = `Bearer ${token}`;
          else if (request.authorization === "garbage") headers.authorization = "Bearer garbage";
          else if (request.authorization === "basic") headers.authorization = "Basic dXNlcjpwYXNz";
          if (request.body?.type) headers["content-type"] = request.body.type;

          const before = await dataDigest();
          const reply = await send(
            h.api.url,
            declared.method.toUpperCase(),
            `${request.path}${request.query}`,
            {
              headers,
              raw: request.body?.raw,
            },
          );
          const label = `${declared.method.toUpperCase()} ${request.path}${request.query} -> ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`;
          expect(reply.status, label).toBeLessThan(500);
          expect(documented, label).toContain(reply.status);
          if (reply.status >= 400) {
            expect(reply.headers.get("content-type"), label).toMatch(/^application\/problem\+json/);
            expect(reply.body, label).toMatchObject({
              status: reply.status,
              code: expect.any(String),
            });
            expect(await dataDigest(), `${label}: data changed`).toBe(before);
          }
        }),
        { numRuns: runsFor(declared.operationId, declared.tag) },
      );
    },
  );
});
