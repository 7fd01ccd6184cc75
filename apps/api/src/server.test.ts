// The real entry point, spawned as `pnpm dev` runs it: what a newcomer sees when the port is taken
// or PostgreSQL is not up yet.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createTcpServer, connect, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { testDatabaseUrl } from "@todo/config";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterEach, describe, expect, it } from "vitest";

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A running `server.ts` and everything it printed so far. */
interface Child {
  readonly process: ChildProcess;
  output: string;
  /** Resolves with the output once a line matches `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startServer(env: Record<string, string>): Child {
  const dataDir = mkdtempSync(join(tmpdir(), "todo-server-test-"));
  const child = spawn(
    process.execPath,
    ["--conditions=@todo/source", "--import", "tsx", "src/server.ts"],
    {
      cwd: PACKAGE_DIR,
      // A whole environment, not the test's: only what the server is meant to read.
      env: { NODE_ENV: "test", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const result: Child = {
    process: child,
    output: "",
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(result.output)) resolve(result.output);
        };
        child.stdout.on("data", check);
        child.stderr.on("data", check);
        check();
        void exited.then(() => {
          check();
          reject(new Error(`server exited before printing ${pattern}:\n${result.output}`));
        });
      }),
  };
  const append = (chunk: Buffer) => {
    result.output += chunk.toString("utf8");
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  return result;
}

/** A TCP server on a free port (close it to free the port again). */
async function listenTcp(onConnection?: Parameters<typeof createTcpServer>[0]): Promise<TcpServer> {
  const server = createTcpServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

const portOf = (server: TcpServer) => (server.address() as { port: number }).port;

describe("server.ts", () => {
  it("ends with one clear line naming PORT and HOST, exit code 1 and no stack trace, when the port is taken", async () => {
    const taken = await listenTcp();
    const port = portOf(taken);
    const server = startServer({ PORT: String(port) });
    expect(await server.exited).toBe(1);
    const lines = server.output.trim().split("\n");
    const fatal = lines.filter((line) => /PORT/.test(line));
    expect(fatal, server.output).toHaveLength(1);
    expect(fatal[0]).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(fatal[0]).toContain("HOST");
    expect(server.output).not.toMatch(/^\s+at /m);
    expect(server.output).not.toMatch(/EADDRINUSE.*\n.*at /);
  });

  it("waits for PostgreSQL with a clear log line instead of crashing, and stops cleanly on SIGTERM meanwhile", async () => {
    const free = await listenTcp();
    const port = portOf(free);
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const server = startServer({
      PORT: "0",
      DATABASE_URL: `postgres://todo@127.0.0.1:${port}/todo`,
    });
    await server.waitFor(new RegExp(`waiting for PostgreSQL at 127\\.0\\.0\\.1:${port}`));
    await server.waitFor(/"attempt":2/);
    expect(server.output).not.toContain("todo@"); // no credentials in the log
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it.skipIf(!testDatabaseUrl())(
    "starts serving once PostgreSQL comes up, in the same process",
    async () => {
      const database: TestDatabase = await createTestDatabase();
      cleanups.push(() => database.close());
      const admin = new URL(testDatabaseUrl() ?? "");
      // A proxy port that refuses connections at first, like a database still starting.
      const placeholder = await listenTcp();
      const port = portOf(placeholder);
      await new Promise<void>((resolve) => placeholder.close(() => resolve()));
      const url = new URL(admin);
      url.host = `127.0.0.1:${port}`;
      url.pathname = `/${database.name}`;
      const server = startServer({ PORT: "0", DATABASE_URL: url.toString() });
      await server.waitFor(/waiting for PostgreSQL/);

      const proxy = createTcpServer((client) => {
        const upstream = connect(Number(admin.port || 5432), admin.hostname);
        client.pipe(upstream).pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
      cleanups.push(() => {
        proxy.close();
      });

      const output = await server.waitFor(/todo API listening on (http:\/\/[\d.:]+)/);
      const address = /todo API listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      const ready = await fetch(`${address}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ok", database: "postgres" });
      server.process.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    },
  );
});
