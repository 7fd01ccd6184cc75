// A test client of `GET /events` over node:http: every event and comment as it arrives, read
// with eventsource-parser, and the status and body of a refusal.
import { request as httpRequest, type ClientRequest } from "node:http";
import { createParser, type EventSourceMessage } from "eventsource-parser";

/** One open (or refused) event stream. */
export interface TestEventStream {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body of a refusal (problem+json), parsed; `undefined` for a stream. */
  readonly problem: any;
  /** The next event (waiting for it), skipping nothing. */
  next(): Promise<EventSourceMessage>;
  /** Resolves with the next comment line (a heartbeat). */
  comment(): Promise<string>;
  /** Resolves when the server ends the response. */
  readonly ended: Promise<void>;
  /** Events received and not yet taken with `next`. */
  readonly pending: readonly EventSourceMessage[];
  close(): void;
}

/** Opens `GET /api/v1/events` on `baseUrl` with `token` (and `Last-Event-ID`, when given). */
export function openEvents(
  baseUrl: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<TestEventStream> {
  return new Promise((resolve, reject) => {
    const queue: EventSourceMessage[] = [];
    const waiting: ((event: EventSourceMessage) => void)[] = [];
    const commentWaiters: ((comment: string) => void)[] = [];
    let endedResolve!: () => void;
    const ended = new Promise<void>((r) => (endedResolve = r));
    const parser = createParser({
      onEvent(event) {
        const waiter = waiting.shift();
        if (waiter) waiter(event);
        else queue.push(event);
      },
      onComment(comment) {
        for (const waiter of commentWaiters.splice(0)) waiter(comment);
      },
    });
    const outgoing: ClientRequest = httpRequest(
      `${baseUrl}/api/v1/events`,
      { headers: { authorization: `Bearer ${token}`, ...headers } },
      (response) => {
        const base = {
          status: response.statusCode ?? 0,
          headers: response.headers,
          ended,
          pending: queue,
          next: () =>
            queue.length > 0
              ? Promise.resolve(queue.shift()!)
              : new Promise<EventSourceMessage>((r) => waiting.push(r)),
          comment: () => new Promise<string>((r) => commentWaiters.push(r)),
          close: () => outgoing.destroy(),
        };
        response.on("end", endedResolve);
        response.on("close", endedResolve);
        if (response.statusCode !== 200) {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ ...base, problem: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
          );
          return;
        }
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => parser.feed(chunk));
        resolve({ ...base, problem: undefined });
      },
    );
    outgoing.on("error", (error) => {
      endedResolve();
      reject(error);
    });
    outgoing.end();
  });
}
