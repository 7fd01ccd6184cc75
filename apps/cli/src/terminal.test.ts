// What a person at a terminal sees: hidden password prompts, and colour only on a TTY without
// NO_COLOR. Runs the built `todo` in a real pseudo-terminal (tmux).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startTestApi, type TestApi } from "@todo/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliUser } from "./testing/cli.js";
import { openTerminal } from "./testing/terminal.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ RATE_LIMIT_ENABLED: "false" });
});
afterAll(async () => {
  await api?.close();
});

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
      await terminal.type(user.password, { enter: true });
      expect(await terminal.exitCode()).toBe(0);
      const screen = await terminal.screen();
      expect(screen).toContain(`Signed up and logged in to ${api.url} as ${user.email}.`);
      expect(screen).not.toContain(user.password);
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
