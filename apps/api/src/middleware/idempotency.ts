import { createHash } from "node:crypto";
import { DomainError, type Services } from "@todo/core";
import type { Middleware } from "koa";
import { z } from "zod";
import { actorOf, type AppContext, type AppState } from "../context.js";

/** The response headers stored with an idempotent response and sent again on a replay. */
const REPLAYED_HEADERS = ["content-type", "location", "etag"] as const;

/** 1–255 visible US-ASCII characters (0x21–0x7E). */
const KEY_SYNTAX = /^[\x21-\x7e]{1,255}$/;

/**
 * A response as this middleware stores it with its key (the core keeps it as opaque text) and
 * sends it again: the status, the headers worth replaying (lower-case names), and the exact body
 * text sent the first time (`null` for none).
 */
const StoredResponse = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string().nullable(),
});
type StoredResponse = z.infer<typeof StoredResponse>;

/**
 * Reads an `Idempotency-Key` header value: the draft's structured-field string form (`"abc"`) or
 * the bare form (`abc`, as Stripe uses); either way 1–255 visible ASCII characters.
 * @throws {DomainError} `validation_failed` (422) on the `Idempotency-Key` path for an empty,
 *   over-long or non-ASCII key.
 */
export function parseIdempotencyKey(header: string): string {
  const quoted = /^"((?:[^"\\]|\\["\\])*)"$/.exec(header.trim());
  const key = quoted?.[1] !== undefined ? quoted[1].replace(/\\(["\\])/g, "$1") : header.trim();
  if (!KEY_SYNTAX.test(key)) {
    throw new DomainError(
      "validation_failed",
      "The Idempotency-Key header must be 1–255 visible ASCII characters (for example a UUID).",
      {
        errors: [{ path: "Idempotency-Key", message: "must be 1–255 visible ASCII characters" }],
      },
    );
  }
  return key;
}

/**
 * What makes two requests under one key the same request: SHA-256 (hex) over the method, the path
 * and the body as canonical JSON (object keys sorted), so a reordered but equal body is the same.
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`)
    .digest("hex");
}

/**
 * `Idempotency-Key` on a POST route (draft-ietf-httpapi-idempotency-key-header; the rules of
 * claiming, replaying and taking over keys are the core's `IdempotencyService`). Goes after
 * `requireAuth` (keys are per user) on each route that creates or changes something. Without the
 * header the request simply runs.
 *
 * With it, the rest of the route runs inside the transaction that holds the key: the handler's
 * services are `services.within(tx)` (in `ctx.state.services`), and a 2xx response is stored with
 * the key before that transaction commits, so an answered write is always replayable and an
 * unanswered one that did not commit left nothing. A replay answers with the stored status, body,
 * `Content-Type`, `Location` and `ETag`, plus `Idempotent-Replayed: true`. A 4xx/5xx stores nothing.
 * @throws {DomainError} `validation_failed` (422) for a malformed key; `idempotency_conflict` 422
 *   (key used for another request) or 409 (first request still running).
 */
export function idempotencyKey(
  services: Pick<Services, "idempotency" | "within">,
): Middleware<AppState> {
  return async (ctx, next) => {
    if (ctx.request.headers["idempotency-key"] === undefined) {
      await next();
      return;
    }
    const key = parseIdempotencyKey(ctx.get("idempotency-key"));
    const { userId } = actorOf(ctx);
    const fingerprint = requestFingerprint(ctx.method, ctx.path, ctx.request.body);

    const outcome = await services.idempotency.run(userId, key, fingerprint, async (tx) => {
      ctx.state.services = services.within(tx);
      try {
        await next();
      } finally {
        ctx.state.services = undefined;
      }
      return ctx.status >= 200 && ctx.status < 300 ? JSON.stringify(storedResponse(ctx)) : null;
    });
    if (outcome.kind === "replay") {
      const { status, headers, body } = StoredResponse.parse(JSON.parse(outcome.result));
      ctx.status = status;
      ctx.set({ ...headers, "Idempotent-Replayed": "true" });
      ctx.body = body ?? null;
      if (body === null) ctx.status = status; // setting a null body resets the status to 204
    }
  };
}

/**
 * The response `ctx` holds, as stored for replays. Its body becomes the stored text itself
 * (Content-Type stays JSON), so the first response and its replays match byte for byte.
 */
function storedResponse(ctx: AppContext): StoredResponse {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = ctx.response.get(name);
    if (value) headers[name] = value;
  }
  const body = ctx.body === undefined || ctx.body === null ? null : JSON.stringify(ctx.body);
  if (body !== null) ctx.body = body;
  return { status: ctx.status, headers, body };
}

/** JSON with object keys in sorted order, so equal values always give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
