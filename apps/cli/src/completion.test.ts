// Shell completion of project names through the built `todo` binary against a live API: the
// hidden `todo __complete projects`, its short-lived cache per API URL and user, and the bash
// script that calls it on Tab.
import { execFile } from "node:child_process";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestApi, type TestApi } from "@todo/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, closedPort, createCliUser, runTodo, type CliUser } from "./testing/cli.js";

const run = promisify(execFile);

let api: TestApi;
let alice: CliUser;
let bob: CliUser;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
  [alice, bob] = await Promise.all([
    createCliUser(api.url, { signup: true }),
    createCliUser(api.url, { signup: true }),
  ]);
  for (const [user, names] of [
    [alice, ["Home Stuff", "Work", "Old"]],
    [bob, ["Bob's garden"]],
  ] as const) {
    for (const name of names) {
      const added = await user.todo(["project", "add", name]);
      expect(added.code, added.stderr).toBe(0);
    }
  }
  expect((await alice.todo(["project", "archive", "old"])).code).toBe(0);
});
afterAll(async () => {
  await Promise.all([alice?.cleanup(), bob?.cleanup()]);
  await api?.close();
});

/** `todo __complete projects [set]` as `user`, which must exit 0 with nothing on stderr. */
async function names(user: CliUser, set?: string, env: Record<string, string> = {}) {
  const result = await user.todo(["__complete", "projects", ...(set ? [set] : [])], { env });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
  return result.stdout;
}

describe("todo __complete projects", () => {
  it("prints the user's active, archived or all project names, one a line", async () => {
    expect(await names(alice)).toBe("Home Stuff\nWork\n");
    expect(await names(alice, "active")).toBe("Home Stuff\nWork\n");
    expect(await names(alice, "archived")).toBe("Old\n");
    expect(await names(alice, "all")).toBe("Home Stuff\nOld\nWork\n");
    // Anything else it does not know: nothing, still exit 0.
    expect(await names(alice, "bogus")).toBe("");
    expect((await alice.todo(["__complete", "tags"])).stdout).toBe("");
  });

  it("answers from its cache for 30 seconds, and asks again once the entry is older or a project command changed a project", async () => {
    const user = await createCliUser(api.url, { signup: true });
    try {
      expect((await user.todo(["project", "add", "First"])).code).toBe(0);
      expect(await names(user)).toBe("First\n");
      const cacheDir = user.env.TODO_CACHE_DIR!;
      const [file, ...others] = await readdir(cacheDir);
      expect(others).toEqual([]);
      expect((await stat(join(cacheDir, file!))).mode & 0o777).toBe(0o600);
      expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);

      // A change from elsewhere (another machine: another cache) is not seen while the entry lives.
      const elsewhere = { TODO_CACHE_DIR: join(cacheDir, "..", "elsewhere") };
      expect((await user.todo(["project", "add", "Second"], { env: elsewhere })).code).toBe(0);
      expect(await names(user)).toBe("First\n");

      // An entry older than 30 seconds is fetched again.
      const path = join(cacheDir, file!);
      const cached = JSON.parse(await readFile(path, "utf8")) as { savedAt: number };
      await writeFile(path, JSON.stringify({ ...cached, savedAt: Date.now() - 31_000 }));
      expect(await names(user)).toBe("First\nSecond\n");

      // This machine's own changes forget the entry at once.
      expect((await user.todo(["project", "rename", "first", "Alpha"])).code).toBe(0);
      expect(await names(user)).toBe("Alpha\nSecond\n");
    } finally {
      await user.cleanup();
    }
  });

  it("never offers another user's projects, even from a shared cache folder or config folder", async () => {
    const shared = { TODO_CACHE_DIR: alice.env.TODO_CACHE_DIR! };
    expect(await names(alice, "all")).toBe("Home Stuff\nOld\nWork\n");
    expect(await names(bob, "all", shared)).toBe("Bob's garden\n");
    expect(await names(alice, "all")).toBe("Home Stuff\nOld\nWork\n");

    // Bob logs in where Alice was logged in: Alice's cached names are not his.
    const machine = await createCliUser(api.url);
    try {
      const as = (user: CliUser) =>
        machine.todo(["login", "--email", user.email], { input: `${user.password}\n` });
      expect((await as(alice)).code).toBe(0);
      expect(await names(machine)).toBe("Home Stuff\nWork\n");
      expect((await machine.todo(["logout"])).code).toBe(0);
      expect((await as(bob)).code).toBe(0);
      expect(await names(machine)).toBe("Bob's garden\n");
    } finally {
      await machine.cleanup();
    }
  });

  it("prints nothing and exits 0 when logged out, when the API cannot be reached, or with a bad API URL", async () => {
    const nobody = await createCliUser(api.url);
    try {
      expect(await names(nobody)).toBe("");
      expect(await names(nobody, "all", { TODO_TOKEN: "not-a-jwt" })).toBe("");
      const closed = `http://127.0.0.1:${await closedPort()}`;
      expect(await names(alice, "all", { TODO_API_URL: closed })).toBe("");
      expect(await names(alice, "all", { TODO_API_URL: "ftp://nowhere" })).toBe("");
      // No cache folder was made for a user who is not logged in.
      await expect(readdir(nobody.env.TODO_CACHE_DIR!)).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      await nobody.cleanup();
    }
  });

  it("offers nothing and exits 0 once its wait passes when the API accepts but never answers", async () => {
    // A server that takes the connection and then says nothing: without the wait, Tab would hang.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const names = await alice.todo(["__complete", "projects", "all"], {
        env: {
          TODO_API_URL: `http://127.0.0.1:${port}`,
          // A stored login is for its own API; a token in the environment goes to any.
          TODO_TOKEN: [{ alg: "HS256" }, { sub: "someone" }, "sig"]
            .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
            .join("."),
          TODO_COMPLETION_WAIT_MS: "300",
        },
      });
      expect(names).toMatchObject({ code: 0, stdout: "", stderr: "" });
      expect(sockets.size).toBeGreaterThan(0); // it did ask, and gave up waiting
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("the bash completion script", () => {
  let bin: string;
  let script: string;
  beforeAll(async () => {
    // `todo` on the PATH, as an installed CLI would be.
    bin = await mkdtemp(join(tmpdir(), "todo-cli-path-"));
    await writeFile(join(bin, "todo"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(join(bin, "todo"), 0o755);
    script = (await runTodo(["completion", "bash"], {})).stdout;
  });
  afterAll(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  /** What bash offers for the last of `words` (the word being completed), as `user`. */
  async function complete(user: CliUser, ...words: string[]): Promise<string[]> {
    const call = `COMP_WORDS=(${words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _todo; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout, stderr } = await run("/bin/bash", ["--norc", "-c", `${script}\n${call}`], {
      env: { ...user.env, PATH: `${bin}:/usr/bin:/bin` },
    });
    expect(stderr).toBe("");
    return stdout.split("\n").filter(Boolean);
  }

  it("offers project names after -P and --project, escaped for the shell, matched in any case", async () => {
    expect(await complete(alice, "todo", "add", "Milk", "-P", "")).toEqual([
      "Home\\ Stuff",
      "Work",
    ]);
    expect(await complete(alice, "todo", "list", "--project", "h")).toEqual(["Home\\ Stuff"]);
    expect(await complete(alice, "todo", "edit", "3", "-P", "Home\\ S")).toEqual(["Home\\ Stuff"]);
    expect(await complete(bob, "todo", "add", "x", "-P", "")).toEqual(["Bob\\'s\\ garden"]);
  });

  it("offers project subcommands, then the names each one takes", async () => {
    expect(await complete(alice, "todo", "project", "")).toEqual([
      "add",
      "rename",
      "archive",
      "unarchive",
      "rm",
      "remove",
      "restore",
    ]);
    expect(await complete(alice, "todo", "project", "un")).toEqual(["unarchive"]);
    expect(await complete(alice, "todo", "project", "archive", "")).toEqual([
      "Home\\ Stuff",
      "Work",
    ]);
    expect(await complete(alice, "todo", "project", "unarchive", "")).toEqual(["Old"]);
    expect(await complete(alice, "todo", "project", "rename", "")).toEqual([
      "Home\\ Stuff",
      "Old",
      "Work",
    ]);
    expect(await complete(alice, "todo", "project", "rm", "w")).toEqual(["Work"]);
    expect(await complete(alice, "todo", "project", "rm", "--j")).toEqual(["--json"]);
    // The new name of a rename is free text: only the options are offered.
    expect(await complete(alice, "todo", "project", "rename", "Work", "")).toEqual([
      "--json",
      "--api-url",
      "--help",
      "-h",
    ]);
  });

  it("offers nothing, silently, when logged out", async () => {
    const nobody = await createCliUser(api.url);
    try {
      expect(await complete(nobody, "todo", "add", "x", "-P", "")).toEqual([]);
    } finally {
      await nobody.cleanup();
    }
  });
});
