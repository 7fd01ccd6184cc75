import { EventsHeaders, SyncQuery, SyncResult } from "@todo/contract";
import type { EventSink } from "@todo/core";
import { createSession } from "better-sse";
import { z } from "zod";
import { defineOperation, type Operation } from "../operation.js";

/**
 * The stream's own event when the server ends it: `reason` is `revoked` (the session ended: log
 * in again), `slow` (the client fell behind: reconnect with `Last-Event-ID`) or `closed` (the
 * instance is stopping: reconnect).
 */
const STREAM_ENDED = "stream.ended";

/** `/sync` and `/events`: live clients (DESIGN §9). */
export const syncOperations: readonly Operation[] = [
  defineOperation({
    operationId: "sync",
    method: "get",
    path: "/api/v1/sync",
    tag: "Sync",
    summary: "Your tasks and projects, or what changed since a sync token",
    description:
      "Without `since`: every live task and project (archived projects too). With `since` (the `token` of a previous sync, or the `id` of the last event received): each task and project that changed after it, once, as it now is; a deleted one as a tombstone `{id, deleted: true}`. Store `token` and send it back next time. While `more` is true, ask again at once with `since=token`. A token older than the changes kept (`CHANGES_RETENTION`, 30 days by default) answers 410 `sync_token_expired`: sync again without `since`.",
    auth: true,
    request: { query: SyncQuery },
    responses: {
      200: { description: "A page of changes and the next token.", content: SyncResult },
    },
    errors: ["sync_token_expired"],
    handle: async ({ query }, { deps, actor }) => ({
      body: await deps.services.sync.sync(actor, query),
    }),
  }),
  defineOperation({
    operationId: "events",
    method: "get",
    path: "/api/v1/events",
    tag: "Sync",
    summary: "A live stream of your changes (Server-Sent Events)",
    description: [
      "A `text/event-stream` (the WHATWG Server-Sent Events format) of every change to your tasks and projects, as it commits on any instance of the API.",
      "Each event has `event:` its type (`task.created`, `task.updated`, `task.deleted`, `task.restored`, `project.*` alike), `id:` the sync token after it, and as `data:` the task or project as it now is (JSON), or a tombstone `{id, deleted: true}` for a deletion.",
      "Send the last `id:` received as `Last-Event-ID` on reconnection: every change since is sent, none twice (or 410 when it is older than the changes kept). A comment line is sent every 15 seconds while nothing happens.",
      `The stream ends with a \`${STREAM_ENDED}\` event \`{reason}\`: \`revoked\` within a second of your session ending (log in again), \`slow\` when you read too slowly (reconnect), \`closed\` when the instance stops (reconnect).`,
      "Authenticated by the `Authorization` header only (a browser uses a fetch-based SSE client); never put a token in the URL.",
    ].join("\n\n"),
    auth: true,
    stream: true,
    request: { headers: EventsHeaders },
    responses: {
      200: {
        description: "The stream, open until you close it or the server ends it.",
        content: { "text/event-stream": z.string() },
      },
    },
    errors: ["sync_token_expired"],
    async handle({ headers }, { ctx, deps, actor }) {
      const { services, config } = deps;
      const after = await services.sync.streamStart(actor, headers["Last-Event-ID"]);
      ctx.respond = false;
      const response = ctx.res;
      const session = await createSession(ctx.req, response, {
        statusCode: 200,
        keepAlive: config.events.heartbeatMs,
        // The id a client resumes from is read above, from the contract's header.
        trustClientEventId: false,
      });
      const sink: EventSink = {
        send(event) {
          session.push(event.data, event.type, event.id);
          return response.writableLength <= config.events.maxBufferedBytes;
        },
        end(reason) {
          if (session.isConnected) session.push({ reason }, STREAM_ENDED);
          response.end();
        },
      };
      let close: (() => void) | undefined;
      session.once("disconnected", () => close?.());
      try {
        close = await services.live.open(actor, after, sink);
      } catch {
        sink.end("closed");
      }
      if (!session.isConnected) close?.();
      return {};
    },
  }),
];
