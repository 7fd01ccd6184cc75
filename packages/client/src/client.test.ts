// The client over both transports, against a real HTTP server on an ephemeral port: bodies,
// problems with their code and Retry-After, no answer at all, and the caller's deadline.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, NetworkError, createClient, fetchTransport, type Transport } from "./index.js";
import { nodeTransport } from "./node.js";

const TASK = {
  id: 1,
  title: "Buy milk",
  description: null,
  completed: false,
  completedAt: null,
  dueDate: null,
  priority: "none",
  tags: [],
  version: 1,
  createdAt: "2026-11-21T10:00:00.000Z",
  updatedAt: "2026-11-21T10:00:00.000Z",
  deletedAt: null,
  recurrence: null,
  recurrenceText: null,
};

/** What the server saw of the last request. */
let seen: { method?: string; url?: string; headers?: IncomingMessage["headers"]; body?: string } =
  {};

function answer(request: IncomingMessage, response: ServerResponse, body: string): void {
  seen = { method: request.method, url: request.url, headers: request.headers, body };
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(value));
  };
  if (request.url?.startsWith("/api/v1/tasks/1")) return json(200, TASK);
  if (request.url === "/api/v1/tasks/2" && request.method === "DELETE") {
    response.writeHead(204).end();
    return;
  }
  if (request.url === "/api/v1/tasks" && request.method === "POST")
    return json(
      429,
      {
        type: "about:blank",
        title: "Too many requests",
        status: 429,
        detail: "Slow down.",
        code: "rate_limited",
        requestId: "r-1",
      },
      { "retry-after": "7" },
    );
  if (request.url === "/api/v1/users/me") return; // never answers
  json(404, { title: "Not found", status: 404, detail: "No such route.", code: "not_found" });
}

let server: Server;
let baseUrl: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => answer(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe.each([
  ["nodeTransport", () => nodeTransport()],
  ["fetchTransport", () => fetchTransport()],
] as [string, () => Transport][])("over %s", (_name, transport) => {
  it("sends the method, path, headers and JSON body, and returns the parsed answer", async () => {
    const client = createClient({
      baseUrl: `${baseUrl}/`,
      transport: transport(),
      session: { accessToken: "token-1" },
      userAgent: "todo-test/1",
    });
    expect(await client.updateTask(1, { title: "Buy oat milk" }, { ifMatch: 3 })).toEqual(TASK);
    expect(seen).toMatchObject({
      method: "PATCH",
      url: "/api/v1/tasks/1",
      body: '{"title":"Buy oat milk"}',
      headers: {
        authorization: "Bearer token-1",
        "if-match": '"3"',
        "content-type": "application/json",
        "user-agent": "todo-test/1",
      },
    });
    expect(await client.deleteTask(2)).toBeUndefined();
  });

  it("raises ApiError with the problem's code and the Retry-After in seconds", async () => {
    const client = createClient({ baseUrl, transport: transport() });
    const error: unknown = await client.createTask({ title: "x" }).catch((caught) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: "rate_limited", retryAfterSeconds: 7 });
    const missing: unknown = await client.listTasks({ q: "x" }).catch((caught) => caught);
    expect(missing).toMatchObject({ status: 404, code: "not_found", retryAfterSeconds: undefined });
  });

  it("raises NetworkError when nothing answers: a closed port, or the caller's deadline", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = createClient({ baseUrl: `http://127.0.0.1:${port}`, transport: transport() });
    await expect(refused.getTask(1)).rejects.toBeInstanceOf(NetworkError);

    const slow = createClient({
      baseUrl,
      transport: transport(),
      session: { accessToken: "t" },
      timeoutMs: 50,
    });
    await expect(slow.me()).rejects.toBeInstanceOf(NetworkError);
  });
});
