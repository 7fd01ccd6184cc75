// What a person at a terminal sees: hidden password prompts that ask again, colour only on a TTY
// without NO_COLOR, and tables cut to the terminal's width. Runs the built `todo` in a real
// pseudo-terminal (tmux).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startTestApi, type TestApi } from "@todo/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliUser, type CliUser } from "./testing/cli.js";
import { openTerminal, type Terminal } from "./testing/terminal.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
});
afterAll(async () => {
  await api?.close();
});

/** Types the repeated password at the last prompt and checks the signup went through, hidden. */
async function finishSignup(terminal: Terminal, user: CliUser): Promise<void> {
  await terminal.type(user.password, { enter: true });
  expect(await terminal.exitCode()).toBe(0);
  const screen = await terminal.screen();
  expect(screen).toContain(`Signed up and logged in to ${api.url} as ${user.email}.`);
  expect(screen).not.toContain(user.password);
}

describe("on a terminal", () => {
  it("asks for the password without echoing it, then logs in", async () => {
    const account = await createCliUser(api.url, { signup: true });
    const user = await createCliUser(api.url);
    const terminal = await openTerminal(["login", "--email", account.email], user.env);
    try {
      await terminal.waitFor(/Password/);
      await terminal.type(account.password);
      const typing = await terminal.screen();
      expect(typing).not.toContain(account.password);
      expect(typing).not.toContain("correct horse");
      await terminal.type("", { enter: true });
      expect(await terminal.exitCode()).toBe(0);
      const screen = await terminal.screen();
      expect(screen).toContain(`Logged in to ${api.url} as ${account.email}.`);
      expect(screen).not.toContain(account.password);
      const stored = await readFile(join(user.configDir, "credentials.json"), "utf8");
      expect(stored).toContain(account.email);
    } finally {
      await terminal.close();
      await Promise.all([account.cleanup(), user.cleanup()]);
    }
  });

  it("signs up asking for the email, then the password twice, hidden", async () => {
    const user = await createCliUser(api.url);
    const terminal = await openTerminal(["signup"], user.env);
    try {
      await terminal.waitFor(/Email/);
      await terminal.type(user.email, { enter: true });
      await terminal.waitFor(/Choose a password/);
      await terminal.type(user.password, { enter: true });
      await terminal.waitFor(/Repeat password/);
      await finishSignup(terminal, user);
    } finally {
      await terminal.close();
      await user.cleanup();
    }
  });

  it("signs up asking again, at once, for a too-short password and after two that differ", async () => {
    const user = await createCliUser(api.url);
    const terminal = await openTerminal(["signup", "--email", user.email], user.env);
    try {
      await terminal.waitFor(/Choose a password/);
      await terminal.type("short", { enter: true });
      await terminal.waitFor(/The password must be at least 8 characters; try again\./);
      await terminal.waitFor(/Choose a password[^\n]*\n[^]*Choose a password/);
      await terminal.type(user.password, { enter: true });
      await terminal.waitFor(/Repeat password/);
      await terminal.type("something else entirely", { enter: true });
      await terminal.waitFor(/The two passwords differ; try again\./);
      await terminal.waitFor(/differ; try again\.[^]*Choose a password/);
      await terminal.type(user.password, { enter: true });
      await terminal.waitFor(/differ; try again\.[^]*Repeat password/);
      await finishSignup(terminal, user);
    } finally {
      await terminal.close();
      await user.cleanup();
    }
  });

  it("cuts long titles to the terminal's own width, and only there", async () => {
    const user = await createCliUser(api.url, { signup: true });
    const title = `A long title ${"word ".repeat(25)}end`;
    await user.todo(["add", title, "-t", "home"]);
    // COLUMNS says wide, but the terminal is 100 columns: the terminal wins.
    const terminal = await openTerminal(["list"], { ...user.env, COLUMNS: "300" });
    try {
      expect(await terminal.exitCode()).toBe(0);
      const row = (await terminal.screen()).split("\n").find((line) => line.startsWith("1 "));
      expect(row).toMatch(/^1\s+pending\s+-\s+-\s+A long title word word .*… {2}#home$/);
      expect(row!.length).toBeLessThanOrEqual(100);
      expect(row!.length).toBeGreaterThan(90);
    } finally {
      await terminal.close();
      await user.cleanup();
    }
  });

  it("colours the list on a terminal, and never with NO_COLOR", async () => {
    const user = await createCliUser(api.url, { signup: true });
    await user.todo(["add", "Pay rent", "--due", "2020-01-31", "-p", "high"]);
    const coloured = await openTerminal(["list"], user.env);
    const plain = await openTerminal(["list"], { ...user.env, NO_COLOR: "1" });
    try {
      expect(await coloured.exitCode()).toBe(0);
      expect(await plain.exitCode()).toBe(0);
      const withColour = await coloured.screen({ escapes: true });
      const red = new RegExp(`${"\u001b"}\\[[0-9;]*31m.*overdue`);
      expect(withColour).toMatch(red);
      expect(withColour).toContain("Pay rent");
      const withoutColour = await plain.screen({ escapes: true });
      expect(withoutColour).toContain("overdue");
      expect(withoutColour).not.toContain("\u001b[");
    } finally {
      await Promise.all([coloured.close(), plain.close()]);
      await user.cleanup();
    }
  });
});
