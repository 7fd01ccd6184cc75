import { compileErrors, dereference, validate } from "@readme/openapi-parser";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";
import type { OpenAPIV3_1 } from "openapi-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "../routes/index.js";
import { startTestApi, type TestApi } from "../testing/index.js";
import { buildOpenApiDocument } from "./document.js";

// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default;

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

let api: TestApi;
let document: OpenAPIV3_1.Document;
/** The document with every `$ref` inlined, for compiling response schemas. */
let dereferenced: OpenAPIV3_1.Document;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
  document = buildOpenApiDocument(OPERATIONS) as OpenAPIV3_1.Document;
  dereferenced = await dereference<OpenAPIV3_1.Document>(structuredClone(document));
});
afterAll(() => api.close());

/** `METHOD /path/{param}` for every operation the document describes. */
function documentedRoutes(doc: OpenAPIV3_1.Document): string[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item?.[method]).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The documented response of `method path` with `status`. */
function documentedResponse(
  method: string,
  path: string,
  status: number,
): OpenAPIV3_1.ResponseObject {
  const operation = dereferenced.paths?.[path]?.[method.toLowerCase() as (typeof METHODS)[number]];
  const response = operation?.responses?.[String(status)] as OpenAPIV3_1.ResponseObject | undefined;
  if (!response) throw new Error(`${method} ${path} does not document a ${status} response`);
  return response;
}

const validators = new Map<object, ValidateFunction>();

/**
 * Sends a real request and checks the response against the document: the status is documented,
 * the content type and body match its schema, and every required header is present.
 */
async function expectDocumented(
  method: string,
  documentedPath: string,
  url: string,
  init: {
    token?: string;
    body?: unknown;
    /** A body sent as is; set its `content-type` in `headers`. */
    raw?: string;
    headers?: Record<string, string>;
    /** Another running API than the file's own. */
    on?: TestApi;
  } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const payload = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const response = await fetch(`${(init.on ?? api).url}${url}`, {
    method,
    headers: {
      ...(payload === undefined ? {} : { "content-type": "application/json" }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const documented = documentedResponse(method, documentedPath, response.status);
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    if ((header as OpenAPIV3_1.HeaderObject).required) {
      expect(
        response.headers.get(name),
        `${method} ${url} ${response.status}: header ${name}`,
      ).not.toBeNull();
    }
  }
  const text = await response.text();
  const mediaTypes = Object.keys(documented.content ?? {});
  if (mediaTypes.length === 0) {
    expect(text, `${method} ${url} ${response.status} has no documented body`).toBe("");
    return { status: response.status, body: undefined, headers: response.headers };
  }
  const mediaType = response.headers.get("content-type")?.split(";")[0] ?? "";
  expect(mediaTypes, `${method} ${url} ${response.status}: content type`).toContain(mediaType);
  if (!/[/+]json$/.test(mediaType)) {
    expect(text.length, `${method} ${url} ${response.status}: body`).toBeGreaterThan(0);
    return { status: response.status, body: text, headers: response.headers };
  }
  const schema = documented.content?.[mediaType]?.schema as object;
  let check = validators.get(schema);
  if (!check) {
    check = ajv.compile(schema);
    validators.set(schema, check);
  }
  const body: unknown = JSON.parse(text);
  expect(
    check(body) ? [] : check.errors,
    `${method} ${url} ${response.status} body: ${text}`,
  ).toEqual([]);
  return { status: response.status, body, headers: response.headers };
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it("documents only what the API serves: every documented operation answers a documented status, every other method is 405 with Allow", async () => {
    const routes = documentedRoutes(document);
    expect(routes.length).toBeGreaterThanOrEqual(22);
    const byPath = new Map<string, string[]>();
    for (const route of routes) {
      const [method, path] = route.split(" ") as [string, string];
      byPath.set(path, [...(byPath.get(path) ?? []), method]);
    }
    for (const [path, methods] of byPath) {
      const url = path.replaceAll("{id}", "1");
      for (const method of methods) {
        // expectDocumented fails on any status the document does not list (404 and 405 included).
        const reply = await expectDocumented(method, path, url);
        expect([404, 405], `${method} ${path}`).not.toContain(reply.status);
      }
      const allowed = [...methods, ...(methods.includes("GET") ? ["HEAD"] : [])].sort();
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter(
        (candidate) => !methods.includes(candidate),
      )) {
        const reply = await fetch(`${api.url}${url}`, { method });
        expect(reply.status, `${method} ${path}`).toBe(405);
        expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        const allow = reply.headers.get("allow")?.split(/,\s*/).sort();
        expect(allow, `${method} ${path}: Allow`).toEqual(allowed);
      }
    }
  });

  it("describes how to get from signup to an authorized call, against this instance", () => {
    expect(document.servers).toEqual([{ url: "/", description: "This instance" }]);
    expect(document.info.description).toMatch(/auth\/signup[\s\S]*Authorize[\s\S]*accessToken/);
    expect(document.components?.securitySchemes?.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    const authenticated = Object.entries(document.paths ?? {}).filter(([path]) =>
      /^\/api\/v1\/(tasks|users)/.test(path),
    );
    for (const [path, item] of authenticated) {
      for (const method of METHODS) {
        if (item?.[method])
          expect(item[method].security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
      }
    }
  });

  it('pre-fills no query or header value, so a first "Try it out" sends only what the user chose', () => {
    for (const route of documentedRoutes(dereferenced)) {
      const [method, path] = route.split(" ") as [string, string];
      const operation =
        dereferenced.paths?.[path]?.[method.toLowerCase() as (typeof METHODS)[number]];
      for (const parameter of (operation?.parameters ?? []) as OpenAPIV3_1.ParameterObject[]) {
        if (parameter.in === "path") continue;
        const schema = parameter.schema as OpenAPIV3_1.SchemaObject | undefined;
        expect(parameter.example ?? schema?.example, `${route} ${parameter.name}`).toBeUndefined();
      }
    }
  });

  it("documents the list query: filters, sort, limit and both paging modes", () => {
    const parameters = (document.paths?.["/api/v1/tasks"]?.get?.parameters ??
      []) as OpenAPIV3_1.ParameterObject[];
    const query = Object.fromEntries(
      parameters.filter((p) => p.in === "query").map((p) => [p.name, p]),
    );
    expect(Object.keys(query).sort()).toEqual(
      [
        "cursor",
        "deleted",
        "dueAfter",
        "dueBefore",
        "limit",
        "overdue",
        "page",
        "priority",
        "project",
        "q",
        "sort",
        "status",
        "tag",
      ].sort(),
    );
    expect(query.tag).toMatchObject({ style: "form", explode: true, schema: { type: "array" } });
    expect(query.limit?.schema).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: 20,
    });
    expect((query.sort?.schema as { enum: string[] }).enum).toEqual(
      expect.arrayContaining(["createdAt", "-createdAt", "dueDate", "-priority", "title"]),
    );
  });

  it("documents every error as problem+json, with WWW-Authenticate on 401 and Retry-After on 429", () => {
    for (const route of documentedRoutes(dereferenced)) {
      const [method, path] = route.split(" ") as [string, string];
      const operation =
        dereferenced.paths?.[path]?.[method.toLowerCase() as (typeof METHODS)[number]];
      const responses = operation?.responses ?? {};
      if (!path.startsWith("/docs") && path !== "/openapi.json")
        expect(responses, route).toHaveProperty("500");
      for (const [status, response] of Object.entries(responses) as [
        string,
        OpenAPIV3_1.ResponseObject,
      ][]) {
        expect(response.headers, `${route} ${status}`).toHaveProperty("X-Request-Id");
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${route} ${status}`).toEqual([
          "application/problem+json",
        ]);
        if (status === "429")
          expect(response.headers?.["Retry-After"], route).toMatchObject({ required: true });
      }
      if (operation?.requestBody) {
        expect(Object.keys(responses), route).toEqual(
          expect.arrayContaining(["400", "413", "415", "422"]),
        );
      }
      if (operation?.security?.length) {
        const unauthorized = responses["401"] as OpenAPIV3_1.ResponseObject | undefined;
        expect(unauthorized?.headers?.["WWW-Authenticate"], route).toBeDefined();
        expect(responses, route).toHaveProperty("429");
      }
    }
    const signup = documentedResponse("POST", "/api/v1/auth/login", 401);
    expect(signup.headers?.["WWW-Authenticate"]).toBeUndefined(); // invalid_credentials is no Bearer challenge
  });

  it("carries examples that satisfy their own schemas", () => {
    const schemas = dereferenced.components?.schemas ?? {};
    const withExamples = Object.entries(schemas).filter(([, schema]) => "example" in schema);
    expect(withExamples.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "Task",
        "TaskCreate",
        "TaskList",
        "AuthSession",
        "SignupRequest",
        "Problem",
        "User",
      ]),
    );
    for (const [name, schema] of withExamples) {
      const check = ajv.compile(schema);
      expect(check((schema as { example: unknown }).example) ? [] : check.errors, name).toEqual([]);
    }
    const problem = ajv.compile(schemas.Problem as object);
    for (const [name, example] of Object.entries(dereferenced.components?.examples ?? {})) {
      expect(
        problem((example as OpenAPIV3_1.ExampleObject).value) ? [] : problem.errors,
        name,
      ).toEqual([]);
    }
  });
});

describe("real responses match the document", () => {
  it("auth, tasks and users answer with the documented shapes, headers and problems", async () => {
    const signup = await expectDocumented("POST", "/api/v1/auth/signup", "/api/v1/auth/signup", {
      body: { email: "docs@example.com", password: "correct horse battery", name: "Docs" },
    });
    expect(signup.status).toBe(201);
    const token = (signup.body as { accessToken: string }).accessToken;

    const created = await expectDocumented("POST", "/api/v1/tasks", "/api/v1/tasks", {
      token,
      body: { title: "Buy milk", dueDate: "2026-12-01", priority: "high", tags: ["home"] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/v1/tasks/1");
    const key = { "idempotency-key": "docs-key-1" };
    const first = await expectDocumented("POST", "/api/v1/tasks", "/api/v1/tasks", {
      token,
      body: { title: "Once" },
      headers: key,
    });
    const replay = await expectDocumented("POST", "/api/v1/tasks", "/api/v1/tasks", {
      token,
      body: { title: "Once" },
      headers: key,
    });
    expect([first.status, replay.status, replay.headers.get("idempotent-replayed")]).toEqual([
      201,
      201,
      "true",
    ]);
    const reused = await expectDocumented("POST", "/api/v1/tasks", "/api/v1/tasks", {
      token,
      body: { title: "Twice" },
      headers: key,
    });
    expect(reused.status).toBe(422);
    expect((reused.body as { code: string }).code).toBe("idempotency_conflict");

    const list = await expectDocumented(
      "GET",
      "/api/v1/tasks",
      "/api/v1/tasks?tag=home&sort=-priority&page=1",
      { token },
    );
    expect(list.status).toBe(200);
    expect((list.body as { data: unknown[] }).data).toHaveLength(1);
    const cursorList = await expectDocumented(
      "GET",
      "/api/v1/tasks",
      "/api/v1/tasks?cursor=forged",
      { token },
    );
    expect(cursorList.status).toBe(422);

    expect(
      (await expectDocumented("GET", "/api/v1/tasks/{id}", "/api/v1/tasks/1", { token })).status,
    ).toBe(200);
    const notModified = await expectDocumented("GET", "/api/v1/tasks/{id}", "/api/v1/tasks/1", {
      token,
      // fetch adds `cache-control: no-cache` to a conditional request unless told otherwise.
      headers: { "if-none-match": created.headers.get("etag") ?? "", "cache-control": "max-age=0" },
    });
    expect(notModified.status).toBe(304);
    const stale = await expectDocumented("PATCH", "/api/v1/tasks/{id}", "/api/v1/tasks/1", {
      token,
      body: { title: "Buy oat milk" },
      headers: { "if-match": '"99"' },
    });
    expect(stale.status).toBe(412);
    const blank = await expectDocumented("POST", "/api/v1/tasks", "/api/v1/tasks", {
      token,
      body: { title: "  " },
    });
    expect(blank.status).toBe(422);
    expect(
      (
        await expectDocumented("POST", "/api/v1/tasks/{id}/complete", "/api/v1/tasks/1/complete", {
          token,
        })
      ).status,
    ).toBe(200);
    expect(
      (await expectDocumented("GET", "/api/v1/tasks/{id}", "/api/v1/tasks/42", { token })).status,
    ).toBe(404);
    expect(
      (await expectDocumented("DELETE", "/api/v1/tasks/{id}", "/api/v1/tasks/1", { token })).status,
    ).toBe(204);
    expect(
      (
        await expectDocumented("POST", "/api/v1/tasks/{id}/restore", "/api/v1/tasks/1/restore", {
          token,
        })
      ).status,
    ).toBe(200);

    const anonymous = await expectDocumented("GET", "/api/v1/tasks", "/api/v1/tasks");
    expect(anonymous.status).toBe(401);
    expect(
      (await expectDocumented("GET", "/api/v1/users/me", "/api/v1/users/me", { token })).status,
    ).toBe(200);
    const wrongPassword = await expectDocumented(
      "POST",
      "/api/v1/auth/login",
      "/api/v1/auth/login",
      {
        body: { email: "docs@example.com", password: "not the password" },
      },
    );
    expect(wrongPassword.status).toBe(401);
    const taken = await expectDocumented("POST", "/api/v1/auth/signup", "/api/v1/auth/signup", {
      body: { email: "docs@example.com", password: "correct horse battery" },
    });
    expect(taken.status).toBe(409);
  });

  it("refuses malformed, non-JSON and oversized bodies with the documented problems", async () => {
    const path = "/api/v1/auth/login";
    const malformed = await expectDocumented("POST", path, path, { raw: '{"email": ' });
    expect(malformed.status).toBe(400);
    const text = await expectDocumented("POST", path, path, {
      raw: "email=a@example.com",
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
    const huge = await expectDocumented("POST", path, path, {
      body: { email: "a@example.com", password: "x".repeat(101 * 1024) },
    });
    expect(huge.status).toBe(413);
  });

  it("answers 429 with Retry-After as documented once the login limit is spent", async () => {
    const limited = await startTestApi({ RATE_LIMIT_ENABLED: "true", RATE_LIMIT_AUTH_POINTS: "2" });
    try {
      const path = "/api/v1/auth/login";
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const reply = await expectDocumented("POST", path, path, {
          on: limited,
          body: { email: "nobody@example.com", password: "not a password" },
        });
        statuses.push(reply.status);
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it("health, readiness and the document itself answer as documented", async () => {
    expect((await expectDocumented("GET", "/health", "/health")).status).toBe(200);
    expect((await expectDocumented("GET", "/ready", "/ready")).status).toBe(200);
    const served = await expectDocumented("GET", "/openapi.json", "/openapi.json");
    expect(served.body).toEqual(JSON.parse(JSON.stringify(document)));
  });
});

describe("GET /openapi.json", () => {
  it("is built once and revalidated with its ETag", async () => {
    const first = await fetch(`${api.url}/openapi.json`);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await fetch(`${api.url}/openapi.json`)).headers.get("etag")).toBe(etag);
    const again = await fetch(`${api.url}/openapi.json`, {
      headers: { "if-none-match": etag ?? "", "cache-control": "max-age=0" },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });
});
