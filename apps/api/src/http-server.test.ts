// The HTTP server's own limits (OWASP Denial of Service Cheat Sheet), over raw sockets: what a
// client sends that no operation should ever see is answered with a problem document or a closed
// connection, never a 500 or a hang.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JSON_LIMITS } from "./middleware/body.js";
import { startHarness, type Harness, type TestUser } from "./testing/index.js";

let h: Harness;
let user: TestUser;
beforeAll(async () => {
  // Short timeouts so that the slow-client tests finish soon; they assert on what happens, not when.
  h = await startHarness({ HTTP_HEADERS_TIMEOUT: "1s", HTTP_REQUEST_TIMEOUT: "2s" });
  user = await h.user();
});
afterAll(() => h.close());

/** Opens a raw connection to the test API. */
async function open(): Promise<Socket> {
  const { port } = new URL(h.api.url);
  const socket = connect(Number(port), "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

/** Everything the server sends until it closes the connection. */
function untilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** Status line, headers and parsed body of a raw HTTP/1.1 response. */
function parseResponse(raw: string): { status: number; headers: string; body: any } {
  const [head = "", body = ""] = raw.split("\r\n\r\n");
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    headers: head.toLowerCase(),
    body: body ? JSON.parse(body) : undefined,
  };
}

function expectProblem(raw: string, status: number, code: string): void {
  const response = parseResponse(raw);
  expect(response.status, raw.slice(0, 200)).toBe(status);
  expect(response.headers).toContain("content-type: application/problem+json");
  expect(response.body).toMatchObject({ status, code, requestId: expect.any(String) });
}

describe("JSON bodies", () => {
  it(`refuses a body nested deeper than ${JSON_LIMITS.depth} levels with a 422 problem, with or without Idempotency-Key`, async () => {
    for (const depth of [JSON_LIMITS.depth + 1, 5000, 15_000]) {
      const raw = `{"title":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
      for (const headers of [
        { "content-type": "application/json" } as Record<string, string>,
        { "content-type": "application/json", "idempotency-key": `deep-${depth}` },
      ]) {
        const reply = await h.request("POST", "/api/v1/tasks", { token: user.token, raw, headers });
        expect(reply.status, `depth ${depth}`).toBe(422);
        expect(reply.body).toMatchObject({
          code: "validation_failed",
          errors: [{ path: "body", message: `nests deeper than ${JSON_LIMITS.depth} levels` }],
        });
      }
    }
    const list = await h.request("GET", "/api/v1/tasks", { token: user.token });
    expect(list.body.data).toEqual([]);
  });

  it("refuses arrays and objects over their item limits with a 422 problem", async () => {
    const items = JSON.stringify({
      title: "x",
      tags: Array.from({ length: JSON_LIMITS.arrayItems + 1 }, () => 1),
    });
    const members = JSON.stringify(
      Object.fromEntries(
        Array.from({ length: JSON_LIMITS.objectMembers + 1 }, (_, index) => [`k${index}`, 1]),
      ),
    );
    for (const raw of [items, members]) {
      const reply = await h.request("POST", "/api/v1/tasks", {
        token: user.token,
        raw,
        headers: { "content-type": "application/json", "idempotency-key": "many" },
      });
      expect(reply.status).toBe(422);
      expect(reply.body.errors[0].path).toBe("body");
    }
  });
});

describe("the HTTP server", () => {
  it("answers a header section over HTTP_MAX_HEADER_SIZE with a 431 problem and closes", async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(
      `GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nX-Filler: ${"a".repeat(20 * 1024)}\r\n\r\n`,
    );
    expectProblem(await closed, 431, "request_header_fields_too_large");
  });

  it("answers a request that is not HTTP with a 400 problem and closes", async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
    expectProblem(await closed, 400, "bad_request");
  });

  it("serves a request without Host rather than refusing it bare", async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect(parseResponse(await closed).status).toBe(200);
  });

  it("answers a client that never finishes its headers (slowloris) with a 408 problem and closes", async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    expectProblem(await closed, 408, "request_timeout");
  });

  it("answers a client that never finishes its body with a 408 problem and closes, creating nothing", async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(
      `POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"title":`,
    );
    expectProblem(await closed, 408, "request_timeout");
    const list = await h.request("GET", "/api/v1/tasks", { token: user.token });
    expect(list.body.data).toEqual([]);
  });
});
