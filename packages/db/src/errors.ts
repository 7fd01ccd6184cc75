/** SQLSTATE codes this service reacts to (PostgreSQL Appendix A). */
const UNIQUE_VIOLATION = "23505";
const CHECK_VIOLATION = "23514";

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
