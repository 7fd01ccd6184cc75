// `todo watch` through the built binary against a live API: a change made by another `todo` run
// appears as it is saved, a dropped connection resumes without a gap or a duplicate, Ctrl-C ends
// it with 0, and a logout elsewhere ends it with 4. Each step waits for the line it expects.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { startTestApi, type TestApi } from "@todo/api/testing";
import { LiveEvent } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, createCliUser, type CliUser } from "./testing/cli.js";

let api: TestApi;
let user: CliUser;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
  user = await createCliUser(api.url, { signup: true });
});
afterAll(async () => {
  await user?.cleanup();
  await api?.close();
});

/** A running `todo watch`: its lines as they come, and its exit. */
function watch(who: CliUser, args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN, "watch", ...args], {
    env: who.env,
  });
  const lines = (stream: NodeJS.ReadableStream) => {
    const seen: string[] = [];
    const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        seen.push(line);
        for (const waiter of [...waiters])
          if (waiter.match(line)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
      }
    });
    return {
      seen,
      /** The first line (already seen or to come) after the `from`th that `match` accepts. */
      wait(match: (line: string) => boolean, from = 0): Promise<string> {
        const found = seen.slice(from).find(match);
        if (found !== undefined) return Promise.resolve(found);
        return new Promise((resolve) => waiters.push({ match, resolve }));
      },
    };
  };
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, stdout: lines(child.stdout), stderr: lines(child.stderr), exited };
}

describe("todo watch", () => {
  it("prints each change once as it is saved, resumes after a dropped connection, and stops on Ctrl-C", async () => {
    const watching = watch(user, ["--json"]);
    await watching.stderr.wait((line) => line.startsWith("Watching "));

    expect((await user.todo(["add", "Buy milk", "--literal"])).code).toBe(0);
    const first = LiveEvent.parse(JSON.parse(await watching.stdout.wait(Boolean)));
    expect(first).toMatchObject({ type: "task.created", id: "1", data: { title: "Buy milk" } });

    // The server drops every connection, as an instance restarting would.
    api.server.closeAllConnections();
    await watching.stderr.wait((line) => line.startsWith("Connection lost"));
    expect((await user.todo(["done", "1"])).code).toBe(0);
    const second = LiveEvent.parse(JSON.parse(await watching.stdout.wait(Boolean, 1)));
    expect(second).toMatchObject({ type: "task.updated", id: "2", data: { completed: true } });

    expect((await user.todo(["rm", "1"])).code).toBe(0);
    const third = LiveEvent.parse(JSON.parse(await watching.stdout.wait(Boolean, 2)));
    expect(third).toEqual({ type: "task.deleted", id: "3", data: { id: 1, deleted: true } });

    watching.child.kill("SIGINT");
    expect(await watching.exited).toBe(0);
    expect(watching.stdout.seen.filter(Boolean)).toHaveLength(3);
  });

  it("prints a line per change for people, and ends with exit 4 when the session is logged out", async () => {
    const other = await createCliUser(api.url, { signup: true });
    const watching = watch(other, []);
    await watching.stderr.wait((line) => line.startsWith("Watching "));
    expect((await other.todo(["add", "Call mum", "--literal"])).code).toBe(0);
    expect(await watching.stdout.wait(Boolean)).toMatch(
      /^\d\d:\d\d:\d\d {2}added {4}task 1 "Call mum"$/,
    );
    expect((await other.todo(["logout"])).code).toBe(0);
    expect(await watching.exited).toBe(4);
    await other.cleanup();
  });
});
