import { randomUUID } from "node:crypto";
import { createServer, STATUS_CODES, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Config } from "@todo/config";
import { DomainError } from "@todo/core";
import type { ErrorCode } from "@todo/contract";
import type Koa from "koa";
import type { AppState } from "./context.js";
import { toProblem } from "./problem.js";

/**
 * The HTTP server for `app`, with the limits of `config.http` (OWASP Denial of Service Cheat
 * Sheet): the largest header section (`maxHeaderSize`), and the time a client has to send its
 * headers (`headersTimeout`, against slowloris) and its whole request (`requestTimeout`). A request
 * that breaks one, or is not valid HTTP, never reaches the app: the server answers it with a
 * problem+json (RFC 9457) 431 `request_header_fields_too_large`, 408 `request_timeout` or
 * 400 `bad_request` and closes the connection. A request without `Host` is left to the app, which
 * does not need it, rather than refused with a bare 400.
 */
export function createHttpServer(app: Koa<AppState>, http: Config["http"]): Server {
  const headersTimeout = http.headersTimeout * 1000;
  const server = createServer(
    {
      maxHeaderSize: http.maxHeaderSize,
      headersTimeout,
      requestTimeout: http.requestTimeout * 1000,
      // How often Node looks for connections past those timeouts: often enough to enforce them.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(headersTimeout / 4))),
      requireHostHeader: false,
    },
    // Koa's handler never rejects: it answers errors itself.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    app.callback(),
  );
  server.keepAliveTimeout = http.keepAliveTimeout * 1000;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    answerClientError(error, socket, http.maxHeaderSize);
  });
  return server;
}

/** What the server answers to a request it could not hand to the app, by parser error code. */
function clientProblem(
  code: string | undefined,
  maxHeaderSize: number,
): [number, ErrorCode, string] {
  if (code === "HPE_HEADER_OVERFLOW")
    return [
      431,
      "request_header_fields_too_large",
      `The request line and headers are larger than ${maxHeaderSize} bytes.`,
    ];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT")
    return [408, "request_timeout", "The request was not received in time. Send it again."];
  return [400, "bad_request", "The request is not valid HTTP/1.1."];
}

/** Node's `clientError` default, but with a problem document: answer if nothing was sent yet, then close. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, maxHeaderSize: number) {
  if (error.code === "ECONNRESET" || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [status, code, detail] = clientProblem(error.code, maxHeaderSize);
  const requestId = randomUUID();
  const body = JSON.stringify(toProblem(new DomainError(code, detail), requestId));
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      "Content-Type: application/problem+json",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Cache-Control: no-store",
      "X-Content-Type-Options: nosniff",
      `X-Request-Id: ${requestId}`,
      "Connection: close",
      "",
      body,
    ].join("\r\n"),
    () => socket.destroy(),
  );
}

/** Raised by {@link listen} when the address cannot be bound, such as a port already in use. */
export class ListenError extends Error {
  constructor(
    readonly code: string | undefined,
    readonly host: string,
    readonly port: number,
  ) {
    super(
      code === "EADDRINUSE"
        ? `Port ${port} on ${host} is already in use: stop what runs there, or set PORT (and HOST) to a free one.`
        : code === "EACCES"
          ? `Not allowed to listen on port ${port} on ${host}: choose a PORT above 1023.`
          : code === "EADDRNOTAVAIL"
            ? `HOST ${host} is not an address of this machine: set HOST to one (such as 127.0.0.1).`
            : `Could not listen on ${host}:${port} (${code ?? "unknown error"}): check PORT and HOST.`,
    );
    this.name = "ListenError";
  }
}

/**
 * Listens on `host:port` (port 0: any free port) and resolves to the bound address.
 * @throws {ListenError} naming PORT and HOST when the address cannot be bound.
 */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(new ListenError(error.code, host, port));
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve(server.address() as AddressInfo);
    });
  });
}
