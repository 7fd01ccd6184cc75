// The baseline: the least work for the same answer, the physical limit of this stack on this
// machine. node:http + pg, no framework, no ORM, no schema library. It verifies the same HS256
// access token (jose, same allowlist, issuer, audience and required claims) and then sends only
// the route's own SQL: one statement for a get, two for a page-mode list (of all tasks, or of one
// project's with `?project=<id>`), and no session lookup
// (revocation is the API's problem to solve without a query per request). The statement texts
// come from the table modules of @todo/db (read once at start; `pnpm bench` prints the API's
// statements per request beside the report, from `DEBUG=todo:sql`), and answers with
// the same JSON and the same response headers: the API's static ones (security headers), handed
// over by `pnpm bench` with `--headers <file>`, and a new X-Request-Id per response. So the two
// write the same bytes, and the comparison measures the layers, not a shorter answer.
// Configuration comes from the same environment variables, through @todo/config.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import argon2 from "argon2";
import { jwtVerify, SignJWT } from "jose";
import pg from "pg";
import { ConfigError, loadConfig, type Config } from "@todo/config";
import { PRIORITIES } from "@todo/contract";
import { ARGON2_OPTIONS, toTask } from "@todo/core";
import {
  refreshTokenStatements,
  taskStatements,
  userStatements,
  type Statement,
  type TaskRow,
  type UserRecord,
} from "@todo/db";

const DATE_OID = 1082;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIMIT = 20;

/** Marker values, one per name, to find where each value goes in a module's statement. */
const markers = new Map<unknown, string>();
function marker<T>(name: string, value: T): T {
  markers.set(value, name);
  return value;
}

/** A table module's statement as the baseline sends it: its text, and its values by name. */
interface Template {
  readonly sql: string;
  values(args: Readonly<Record<string, unknown>>): unknown[];
}

/**
 * Reads a statement built with {@link marker} values once, so that requests only fill values in.
 * A value that is no marker is a constant of the statement (the `limit 1` of a lookup).
 */
function template(statement: Statement<unknown>): Template {
  const slots = statement.bindings.map((value) => ({ name: markers.get(value), value }));
  return {
    sql: statement.sql,
    values: (args) => slots.map(({ name, value }) => (name === undefined ? value : args[name])),
  };
}

const owner = marker("owner", "00000000-0000-4000-8000-00000000000a");
const taskId = marker("id", 900_001);
const title = marker("title", "\u0000title");
/** The statements of the benchmarked routes, from the table modules. */
const SQL = {
  find: template(taskStatements.find(owner, taskId)),
  firstPage: template(
    taskStatements.list(
      owner,
      {},
      { order: "createdAt", descending: true, limit: marker("limit", 900_002) },
    ),
  ),
  offsetPage: template(
    taskStatements.list(
      owner,
      {},
      {
        order: "createdAt",
        descending: true,
        limit: marker("limit", 900_002),
        offset: marker("offset", 900_003),
      },
    ),
  ),
  cursorPage: template(
    taskStatements.list(
      owner,
      {},
      {
        order: "createdAt",
        descending: true,
        limit: marker("limit", 900_002),
        after: { value: marker("value", "\u0000value"), id: marker("after", 900_004) },
      },
    ),
  ),
  count: template(taskStatements.count(owner, {})),
  // One project's tasks (`?project=<id>`): the same two statements with the project filter.
  projectPage: template(
    taskStatements.list(
      owner,
      { project: marker("project", 900_006) },
      {
        order: "createdAt",
        descending: true,
        limit: marker("limit", 900_002),
        offset: marker("offset", 900_003),
      },
    ),
  ),
  projectFirstPage: template(
    taskStatements.list(
      owner,
      { project: marker("project", 900_006) },
      { order: "createdAt", descending: true, limit: marker("limit", 900_002) },
    ),
  ),
  projectCount: template(taskStatements.count(owner, { project: marker("project", 900_006) })),
  create: template(
    taskStatements.create(owner, {
      title,
      description: marker("description", "\u0000description"),
      dueDate: marker("dueDate", "\u0000dueDate"),
      priority: marker("priority", 900_005),
      tags: marker("tags", []),
      completed: marker("completed", true),
      // The benchmarked create names no project.
      projectId: null,
    }),
  ),
  rename: template(taskStatements.update(owner, taskId, { title })),
  renameDecided: template(taskStatements.decide(owner, taskId, { title })),
  userByEmail: template(userStatements.byEmail(marker("email", "\u0000email"))),
  insertRefreshToken: template(
    refreshTokenStatements.insert({
      userId: owner,
      familyId: marker("familyId", "\u0000familyId"),
      tokenHash: marker("tokenHash", "\u0000tokenHash"),
      expiresAt: marker("expiresAt", new Date(0)),
    }),
  ),
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/**
 * Starts the baseline on `config.host:config.port`; resolves once it listens. `staticHeaders` are
 * sent with every response (`pnpm bench` passes the API's).
 */
export async function startBaseline(
  config: Config,
  staticHeaders: Readonly<Record<string, string>> = {},
): Promise<{ close(): Promise<void> }> {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 10, // the API's default pool size (openDatabase)
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === DATE_OID
          ? (value: string) => value
          : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
    },
  });
  // Imported once, as AuthService does.
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(config.jwt.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  const dummyHash = argon2.hash(randomBytes(16).toString("hex"), ARGON2_OPTIONS);

  async function authenticate(req: IncomingMessage): Promise<string> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!match?.[1]) throw new HttpError(401, "unauthorized");
    try {
      const { payload } = await jwtVerify(match[1], key, {
        algorithms: ["HS256"],
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        requiredClaims: ["exp", "iat", "sub"],
      });
      const { sub, sid } = payload;
      if (typeof sub === "string" && UUID.test(sub) && typeof sid === "string" && UUID.test(sid)) {
        return sub;
      }
    } catch {
      // falls through to 401
    }
    throw new HttpError(401, "unauthorized");
  }

  const query = <Row>(statement: Template, args: Readonly<Record<string, unknown>>) =>
    pool.query<Row & pg.QueryResultRow>(statement.sql, statement.values(args));

  async function list(userId: string, params: URLSearchParams) {
    const cursor = params.get("cursor");
    if (cursor) {
      const [sort, createdAt, id] = JSON.parse(
        Buffer.from(cursor, "base64url").toString("utf8"),
      ) as [string, string, number];
      if (sort !== "-createdAt") throw new HttpError(422, "validation_failed");
      const { rows } = await query<TaskRow>(SQL.cursorPage, {
        owner: userId,
        value: createdAt,
        after: id,
        limit: LIMIT + 1,
      });
      return listBody(rows, {});
    }
    const page = Number(params.get("page") ?? 1);
    if (!Number.isInteger(page) || page < 1) throw new HttpError(422, "validation_failed");
    const offset = (page - 1) * LIMIT;
    const projectParam = params.get("project");
    const project = projectParam === null ? undefined : Number(projectParam);
    if (project !== undefined && !(Number.isInteger(project) && project >= 1))
      throw new HttpError(422, "validation_failed");
    const args = { owner: userId, limit: LIMIT + 1, offset, project };
    const [{ rows }, counted] = await Promise.all(
      project === undefined
        ? [
            query<TaskRow>(offset > 0 ? SQL.offsetPage : SQL.firstPage, args),
            query<{ count: number }>(SQL.count, args),
          ]
        : [
            query<TaskRow>(offset > 0 ? SQL.projectPage : SQL.projectFirstPage, args),
            query<{ count: number }>(SQL.projectCount, args),
          ],
    );
    const total = counted.rows[0]?.count ?? 0;
    return listBody(rows, { total, page, totalPages: Math.ceil(total / LIMIT) });
  }

  function listBody(rows: TaskRow[], totals: object) {
    const data = rows.slice(0, LIMIT);
    const last = data.at(-1);
    const nextCursor =
      rows.length > LIMIT && last
        ? Buffer.from(
            JSON.stringify(["-createdAt", last.created_at.toISOString(), last.id]),
          ).toString("base64url")
        : null;
    return { data: data.map(toTask), meta: { limit: LIMIT, ...totals, nextCursor } };
  }

  async function get(userId: string, id: number) {
    const { rows } = await query<TaskRow>(SQL.find, { owner: userId, id });
    if (!rows[0]) throw new HttpError(404, "not_found");
    return toTask(rows[0]);
  }

  async function create(userId: string, body: Record<string, unknown>) {
    const title = requireTitle(body.title);
    const priority = PRIORITIES.indexOf((body.priority ?? "none") as (typeof PRIORITIES)[number]);
    const tags = Array.isArray(body.tags)
      ? body.tags.map((tag) => String(tag).trim().toLowerCase())
      : [];
    if (priority < 0) throw new HttpError(422, "validation_failed");
    const { rows } = await query<TaskRow>(SQL.create, {
      owner: userId,
      title,
      description: null,
      completed: false,
      dueDate: null,
      priority,
      tags,
    });
    if (!rows[0]) throw new HttpError(401, "unauthorized");
    return toTask(rows[0]);
  }

  async function patch(userId: string, id: number, body: Record<string, unknown>) {
    if (Object.keys(body).some((field) => field !== "title"))
      throw new HttpError(422, "validation_failed");
    const args = { owner: userId, id, title: requireTitle(body.title) };
    // As the tasks module: one UPDATE, and the deciding statement only when it matched nothing.
    const { rows } = await query<TaskRow>(SQL.rename, args);
    const row = rows[0] ?? (await query<TaskRow>(SQL.renameDecided, args)).rows[0];
    if (!row) throw new HttpError(404, "not_found");
    return toTask(row);
  }

  async function login(body: Record<string, unknown>) {
    if (typeof body.email !== "string" || typeof body.password !== "string")
      throw new HttpError(422, "validation_failed");
    const { rows } = await query<UserRecord>(SQL.userByEmail, {
      email: body.email.trim().toLowerCase(),
    });
    const user = rows[0];
    const matches = await argon2
      .verify(user?.password_hash ?? (await dummyHash), body.password)
      .catch(() => false);
    if (!user?.password_hash || !matches) throw new HttpError(401, "invalid_credentials");
    const familyId = randomUUID();
    const refreshToken = randomBytes(32).toString("base64url");
    await query(SQL.insertRefreshToken, {
      owner: user.id,
      familyId,
      tokenHash: createHash("sha256").update(refreshToken).digest("hex"),
      expiresAt: new Date(Date.now() + config.jwt.refreshTokenTtl * 1000),
    });
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({ sid: familyId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(user.id)
      .setIssuer(config.jwt.issuer)
      .setAudience(config.jwt.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + config.jwt.accessTokenTtl)
      .sign(key);
    return {
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        createdAt: user.created_at.toISOString(),
      },
      accessToken,
      refreshToken,
      tokenType: "Bearer",
      expiresIn: config.jwt.accessTokenTtl,
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://baseline");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (path === "/health") return send(res, 200, { status: "ok" });
    if (path === "/api/v1/auth/login" && method === "POST")
      return send(res, 200, await login(await readJson(req)));
    if (path === "/api/v1/tasks") {
      const userId = await authenticate(req);
      if (method === "GET") return send(res, 200, await list(userId, url.searchParams));
      if (method === "POST") {
        const task = await create(userId, await readJson(req));
        return send(res, 201, task, {
          Location: `/api/v1/tasks/${task.id}`,
          ETag: `"${task.version}"`,
        });
      }
    }
    const match = /^\/api\/v1\/tasks\/(\d{1,10})$/.exec(path);
    if (match) {
      const userId = await authenticate(req);
      const id = Number(match[1]);
      if (method === "GET") {
        const task = await get(userId, id);
        return send(res, 200, task, { ETag: `"${task.version}"` });
      }
      if (method === "PATCH") {
        const task = await patch(userId, id, await readJson(req));
        return send(res, 200, task, { ETag: `"${task.version}"` });
      }
    }
    throw new HttpError(404, "not_found");
  }

  const headerEntries = Object.entries(staticHeaders);
  const server = createServer((req, res) => {
    for (const [name, value] of headerEntries) res.setHeader(name, value);
    res.setHeader("X-Request-Id", randomUUID());
    route(req, res).catch((error: unknown) => {
      const known = error instanceof HttpError ? error : new HttpError(500, "internal");
      // A client that hung up mid-request (wrk stopping) is not an error of the server.
      if (!(error instanceof HttpError) && (error as { code?: string }).code !== "ECONNRESET")
        console.error(error);
      send(res, known.status, { status: known.status, code: known.code });
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  return {
    close: async () => {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

function requireTitle(value: unknown): string {
  const title = typeof value === "string" ? value.trim() : "";
  if (title.length < 1 || title.length > 200) throw new HttpError(422, "validation_failed");
  return title;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 100_000) throw new HttpError(413, "payload_too_large");
    chunks.push(chunk);
  }
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (body && typeof body === "object" && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw new HttpError(400, "malformed_json");
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(json),
  });
  res.end(json);
}

// Run as a program (`node bench/dist/baseline.js [--headers <file.json>]`), configured like the API.
if (import.meta.url === `file://${process.argv[1]}`) {
  let config: Config;
  let headers: Record<string, string> = {};
  try {
    config = loadConfig();
    const { values } = parseArgs({ options: { headers: { type: "string" } } });
    if (values.headers)
      headers = JSON.parse(readFileSync(values.headers, "utf8")) as Record<string, string>;
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
  const baseline = await startBaseline(config, headers);
  console.log(`baseline listening on http://${config.host}:${config.port}`);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => void baseline.close().then(() => process.exit(0)));
  }
}
