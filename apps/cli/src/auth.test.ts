// Sign-up, login, logout, credentials and sessions, through the built `todo` binary against a live API.
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startTestApi, type TestApi } from "@todo/api/testing";
import { User } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCredentialsFile } from "./credentials.js";
import { closedPort, createCliUser, runTodo } from "./testing/cli.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
});
afterAll(async () => {
  await api?.close();
});

async function readCredentials(configDir: string) {
  const file: unknown = JSON.parse(await readFile(join(configDir, "credentials.json"), "utf8"));
  if (!isCredentialsFile(file)) throw new Error(`not a credentials file: ${JSON.stringify(file)}`);
  return file;
}

describe("signup and login", () => {
  it("signs up with the password piped on stdin and stores the session in a 0600 file in a 0700 folder", async () => {
    const user = await createCliUser(api.url);
    const signup = await user.todo(["signup", "--email", user.email, "--name", "Ada"], {
      input: `${user.password}\n`,
    });
    expect(signup.stderr).toBe("");
    expect(signup.code).toBe(0);
    expect(signup.stdout).toBe(`Signed up and logged in to ${api.url} as ${user.email}.\n`);

    expect((await stat(user.configDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(user.configDir, "credentials.json"))).mode & 0o777).toBe(0o600);
    const text = await readFile(join(user.configDir, "credentials.json"), "utf8");
    expect(text).not.toContain(user.password);
    const file = await readCredentials(user.configDir);
    expect(file.version).toBe(1);
    expect(file.defaultApiUrl).toBe(api.url);
    expect(file.sessions[api.url]?.user).toMatchObject({ email: user.email, name: "Ada" });
    expect(file.sessions[api.url]?.refreshToken).toMatch(/.{20,}/);

    const whoami = await user.todo(["whoami"]);
    expect(whoami).toMatchObject({
      code: 0,
      stdout: `${user.email} (Ada) at ${api.url}, time zone UTC\n`,
    });
    const json = await user.todo(["whoami", "--json"]);
    expect(json.code).toBe(0);
    expect(User.strict().parse(JSON.parse(json.stdout))).toMatchObject({
      email: user.email,
      name: "Ada",
    });
    await user.cleanup();
  });

  it("signs up in the machine's time zone; `todo timezone` shows it, sets another or the local one, and refuses an unknown one", async () => {
    const user = await createCliUser(api.url);
    const kiritimati = { TZ: "Pacific/Kiritimati" };
    const signup = await user.todo(["signup", "--email", user.email], {
      input: `${user.password}\n`,
      env: kiritimati,
    });
    expect(signup.code).toBe(0);
    expect((await user.todo(["timezone"])).stdout).toBe("Your time zone is Pacific/Kiritimati.\n");
    const set = await user.todo(["timezone", "america/new_york"]);
    expect(set).toMatchObject({ code: 0, stdout: "Your time zone is now America/New_York.\n" });
    expect((await user.todo(["whoami"])).stdout).toBe(
      `${user.email} at ${api.url}, time zone America/New_York\n`,
    );
    const unknown = await user.todo(["timezone", "Mars/Olympus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "The timeZone must be an IANA time zone such as Europe/Berlin or UTC; nothing was changed.\n",
    );
    const local = await user.todo(["timezone", "--local", "--json"], { env: kiritimati });
    expect(JSON.parse(local.stdout)).toMatchObject({ timeZone: "Pacific/Kiritimati" });
    await user.cleanup();
  });

  it("logs in with --email and a piped password, and uses the last API logged in to by default", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const other = await createCliUser(api.url);
    // A second machine: no session yet, and no TODO_API_URL, so --api-url names the API.
    const login = await runTodo(
      ["login", "--email", user.email, "--api-url", `${api.url}/`],
      { TODO_CONFIG_DIR: other.configDir },
      `${user.password}\n`,
    );
    expect(login).toMatchObject({ code: 0, stdout: `Logged in to ${api.url} as ${user.email}.\n` });
    const whoami = await runTodo(["whoami"], { TODO_CONFIG_DIR: other.configDir });
    expect(whoami).toMatchObject({
      code: 0,
      stdout: `${user.email} at ${api.url}, time zone UTC\n`,
    });
    await Promise.all([user.cleanup(), other.cleanup()]);
  });

  it("refuses a wrong password with exit 1 and stores nothing", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const stranger = await createCliUser(api.url);
    const login = await stranger.todo(["login", "--email", user.email], {
      input: "not the password\n",
    });
    expect(login.code).toBe(1);
    expect(login.stdout).toBe("");
    expect(login.stderr).toBe(
      "Wrong email or password; try again, or run `todo signup` to create an account.\n",
    );
    expect((await stranger.todo(["whoami"])).code).toBe(4);
    await Promise.all([user.cleanup(), stranger.cleanup()]);
  });

  it("answers usage errors with exit 2: no --email without a terminal, empty stdin, a short password", async () => {
    const user = await createCliUser(api.url);
    const noEmail = await user.todo(["login"], { input: "secret\n" });
    expect(noEmail).toMatchObject({
      code: 2,
      stderr: "Pass --email when stdin is not a terminal.\n",
    });
    const noPassword = await user.todo(["login", "--email", user.email]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/^No password on stdin/);
    const short = await user.todo(["signup", "--email", user.email], { input: "short\n" });
    expect(short).toMatchObject({
      code: 2,
      stderr: "The password must be at least 8 characters; run `todo signup` again.\n",
    });
    const taken = await createCliUser(api.url, { signup: true });
    const again = await user.todo(["signup", "--email", taken.email], {
      input: `${user.password}\n`,
    });
    expect(again).toMatchObject({
      code: 1,
      stderr: "An account with this email already exists; run `todo login` instead.\n",
    });
    await Promise.all([user.cleanup(), taken.cleanup()]);
  });

  it("logs in with --with-token from stdin, without a refresh token", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const { accessToken } = await api.services.auth.login({
      email: user.email,
      password: user.password,
    });
    const machine = await createCliUser(api.url);
    const login = await machine.todo(["login", "--with-token"], { input: `${accessToken}\n` });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${api.url} as ${user.email} with a token`);
    expect((await readCredentials(machine.configDir)).sessions[api.url]).toMatchObject({
      accessToken,
      refreshToken: null,
    });
    expect((await machine.todo(["whoami"])).stdout).toBe(
      `${user.email} at ${api.url}, time zone UTC\n`,
    );

    const bad = await machine.todo(["login", "--with-token"], { input: "not-a-jwt\n" });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain("refused that token");
    await Promise.all([user.cleanup(), machine.cleanup()]);
  });
});

describe("sessions", () => {
  it("logout revokes the refresh token on the server and removes the local credentials", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const { refreshToken } = (await readCredentials(user.configDir)).sessions[api.url]!;
    const logout = await user.todo(["logout"]);
    expect(logout).toMatchObject({
      code: 0,
      stdout: `Logged out of ${api.url} (${user.email}).\n`,
    });
    await expect(stat(join(user.configDir, "credentials.json"))).rejects.toMatchObject({
      code: "ENOENT",
    });

    const refresh = await fetch(`${api.url}/api/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken }),
    });
    expect(refresh.status).toBe(401);

    const whoami = await user.todo(["whoami"]);
    expect(whoami).toMatchObject({
      code: 4,
      stdout: "",
      stderr: `You are not logged in to ${api.url}; run \`todo login\` (or \`todo signup\`).\n`,
    });
    const again = await user.todo(["logout", "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ loggedOut: false, apiUrl: api.url });
    await user.cleanup();
  });

  it("exits 4 with the next step when not logged in, for every command that needs a login", async () => {
    const user = await createCliUser(api.url);
    for (const args of [
      ["list"],
      ["add", "milk"],
      ["show", "1"],
      ["done", "1"],
      ["edit", "1", "--title", "x"],
      ["whoami"],
    ]) {
      const result = await user.todo([...args, "--json"]);
      expect(result.code, args.join(" ")).toBe(4);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("run `todo login`");
    }
    await user.cleanup();
  });

  it("exits 1 naming the URL and how to start the API when it is unreachable", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const result = await runTodo(["list"], {
      TODO_API_URL: url,
      TODO_TOKEN: "any",
      TODO_CONFIG_DIR: "/nonexistent/todo",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Could not reach the todo API at ${url}; start it with \`pnpm start\` in the todo checkout, or point to another one with --api-url or TODO_API_URL.\n`,
    );
  });

  it("uses TODO_TOKEN over the stored session and says so when it is refused", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const { accessToken } = await api.services.auth.login({
      email: user.email,
      password: user.password,
    });
    const fresh = await createCliUser(api.url);
    const ok = await fresh.todo(["whoami"], { env: { TODO_TOKEN: accessToken } });
    expect(ok).toMatchObject({ code: 0, stdout: `${user.email} at ${api.url}, time zone UTC\n` });
    const refused = await user.todo(["list"], { env: { TODO_TOKEN: "garbage" } });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("TODO_TOKEN was refused");
    await Promise.all([user.cleanup(), fresh.cleanup()]);
  });

  it("says how to recover from a damaged credentials file (exit 4)", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await writeFile(join(user.configDir, "credentials.json"), "{ not json");
    const result = await user.todo(["list"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      "is damaged or from a newer todo; delete it and run `todo login`.",
    );
    await user.cleanup();
  });
});

describe("an expired access token", () => {
  let shortApi: TestApi;
  beforeAll(async () => {
    shortApi = await startTestApi({ ACCESS_TOKEN_TTL: "3s", RATE_LIMIT_ENABLED: "false" });
  });
  afterAll(async () => {
    await shortApi?.close();
  });

  it("is refreshed once, silently, and the new pair is saved", async () => {
    const user = await createCliUser(shortApi.url, { signup: true });
    const before = (await readCredentials(user.configDir)).sessions[shortApi.url]!;
    await user.todo(["add", "before", "expiry"]);
    await sleep(3100);
    const list = await user.todo(["list"]);
    expect(list.stderr).toBe("");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("before expiry");
    const after = (await readCredentials(user.configDir)).sessions[shortApi.url]!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect((await stat(join(user.configDir, "credentials.json"))).mode & 0o777).toBe(0o600);
    await user.cleanup();
  });

  it("survives several runs refreshing at once (the rotated refresh token is never presented twice)", async () => {
    const user = await createCliUser(shortApi.url, { signup: true });
    await sleep(3100);
    const runs = await Promise.all([1, 2, 3, 4].map(() => user.todo(["list", "--json"])));
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([1, 2, 3, 4].map(() => [0, ""]));
    const whoami = await user.todo(["whoami"]);
    expect(whoami).toMatchObject({
      code: 0,
      stdout: `${user.email} at ${shortApi.url}, time zone UTC\n`,
    });
    await expect(stat(join(user.configDir, "credentials.json.lock"))).rejects.toMatchObject({
      code: "ENOENT",
    });
    await user.cleanup();
  });
});
