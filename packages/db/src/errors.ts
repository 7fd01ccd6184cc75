/** SQLSTATE codes this service reacts to (PostgreSQL Appendix A). */
const UNIQUE_VIOLATION = "23505";
const CHECK_VIOLATION = "23514";

/**
 * SQLSTATEs that say the database cannot serve now, whatever the statement: class 08 (connection
 * exception), 53300 too many connections, 57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now (starting up or shutting down), and 57014 query canceled, which is how the
 * server ends a statement that outlived `statement_timeout`.
 */
const UNAVAILABLE_STATES = new Set(["53300", "57P01", "57P02", "57P03", "57014"]);

/** Node's socket errors for a server that is down, unreachable or gone mid-conversation. */
const UNAVAILABLE_SYSCALL_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * What `pg`, `pg-pool`, knex and PGlite say, without a code, when there is no connection to be
 * had: pg-pool's connection timeout (waiting for a free or a new connection), a connection the
 * server closed, a pool or an embedded database already closed (knex's pool, once destroyed,
 * says "Unable to acquire a connection").
 */
const UNAVAILABLE_MESSAGES = [
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^Knex: Timeout acquiring a connection/,
  /^Unable to acquire a connection$/,
  /^PGlite is clos(ed|ing)$/,
];

/** The errors an error wraps: Objection's `nativeError`, `cause`, and an AggregateError's list. */
function* chain(error: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 5 || error === null || typeof error !== "object") return;
  const record = error as Record<string, unknown>;
  yield record;
  yield* chain(record.nativeError, depth + 1);
  yield* chain(record.cause, depth + 1);
  if (Array.isArray(record.errors))
    for (const inner of record.errors) yield* chain(inner, depth + 1);
}

/** The SQLSTATE of a driver error, also when Objection has wrapped it (`nativeError`). */
function sqlState(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; nativeError?: { code?: unknown } } | null;
  const code = candidate?.nativeError?.code ?? candidate?.code;
  return typeof code === "string" ? code : undefined;
}

/** True for a PostgreSQL unique violation (23505), from pg or PGlite. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === UNIQUE_VIOLATION;
}

/** True for a PostgreSQL check violation (23514), from pg or PGlite. */
export function isCheckViolation(error: unknown): boolean {
  return sqlState(error) === CHECK_VIOLATION;
}

/**
 * True when `error` says the database cannot serve right now, rather than that a statement was
 * wrong: the server refused, reset or dropped the connection, is shutting down or starting up
 * (57P01–57P03), any connection exception (SQLSTATE class 08), too many connections (53300), a
 * statement that outlived `statement_timeout` (57014), no connection within the pool's connection
 * timeout, or a pool or embedded PGlite database that is closed. Such a request may succeed if
 * retried later: the API answers 503 `unavailable` with `Retry-After`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of chain(error)) {
    const { code, message } = link;
    if (typeof code === "string") {
      if (code.startsWith("08") && code.length === 5) return true;
      if (UNAVAILABLE_STATES.has(code) || UNAVAILABLE_SYSCALL_CODES.has(code)) return true;
    }
    if (typeof message === "string" && UNAVAILABLE_MESSAGES.some((known) => known.test(message)))
      return true;
  }
  return false;
}
