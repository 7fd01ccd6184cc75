import bodyParser from "koa-bodyparser";
import type { Middleware } from "koa";
import type { AppState } from "../context.js";
import { DomainError } from "@todo/core";

/** The largest accepted request body (DESIGN §3). */
export const BODY_LIMIT = "100kb";

/**
 * Bounds on the shape of a JSON body, checked before anything walks it: no request the contract
 * accepts comes near them, and code that recurses over a body (fingerprints, logs) stays safe.
 */
export const JSON_LIMITS = { depth: 32, arrayItems: 1000, objectMembers: 1000 } as const;

/** Why `value` breaks {@link JSON_LIMITS}, or `undefined`. Iterative: no depth can overflow it. */
export function jsonShapeProblem(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    if (depth > JSON_LIMITS.depth) return `nests deeper than ${JSON_LIMITS.depth} levels`;
    const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
    if (Array.isArray(node) && children.length > JSON_LIMITS.arrayItems)
      return `has an array of more than ${JSON_LIMITS.arrayItems} items`;
    if (!Array.isArray(node) && children.length > JSON_LIMITS.objectMembers)
      return `has an object of more than ${JSON_LIMITS.objectMembers} members`;
    for (const child of children) pending.push([child, depth + 1]);
  }
  return undefined;
}

/**
 * JSON bodies only, up to 100 kB, objects and arrays only (strict), within {@link JSON_LIMITS},
 * parsed into `ctx.request.body`; a request without a body gets `{}`, as an empty JSON body
 * would. A body of another media type is refused with 415 rather than silently ignored. Mounted
 * only on operations that take a body.
 * @throws {DomainError} `unsupported_media_type` (415), `payload_too_large` (413),
 *   `malformed_json` (400) or `validation_failed` (422, beyond {@link JSON_LIMITS}).
 */
export function jsonBody(): Middleware<AppState> {
  const parser = bodyParser({
    enableTypes: ["json"],
    jsonLimit: BODY_LIMIT,
    strict: true,
  }) as Middleware<AppState>;
  return async (ctx, next) => {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get("transfer-encoding") !== "";
    if (!hasBody) {
      ctx.request.body = {};
      await next();
      return;
    }
    if (!ctx.is("application/json", "application/*+json")) {
      throw new DomainError("unsupported_media_type", "Send the request body as application/json.");
    }
    try {
      await parser(ctx, async () => {});
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413)
        throw new DomainError("payload_too_large", "The request body is larger than 100 kB.");
      if (status === 415)
        throw new DomainError(
          "unsupported_media_type",
          "Send the request body as application/json.",
        );
      throw new DomainError(
        "malformed_json",
        "The request body is not valid JSON (it must be a JSON object).",
      );
    }
    const problem = jsonShapeProblem(ctx.request.body);
    if (problem) {
      throw new DomainError("validation_failed", `Invalid body: it ${problem}.`, {
        errors: [{ path: "body", message: problem }],
      });
    }
    await next();
  };
}
