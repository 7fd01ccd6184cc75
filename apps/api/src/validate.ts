import { DomainError, validationFailed } from "@todo/core";
import type { z } from "zod";

/**
 * Parses `input` with a contract schema. Text containing U+0000 is refused first: PostgreSQL
 * cannot store it in `text`, so it would otherwise fail deep in the database as a 500.
 * @throws {DomainError} `validation_failed` (422) naming each bad field.
 */
export function parse<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: "body" | "query" | "path" = "body",
): z.output<T> {
  const nul = findNul(input, []);
  if (nul) {
    const path = nul.join(".") || where;
    throw new DomainError(
      "validation_failed",
      `Invalid ${where}: ${path} must not contain NUL (U+0000) characters.`,
      {
        errors: [{ path, message: "must not contain NUL (U+0000) characters" }],
      },
    );
  }
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(result.error, where);
  return result.data;
}

/** The path of the first string (or object key) holding U+0000, if any. */
function findNul(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (!value || typeof value !== "object") return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key];
    const found = findNul(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
