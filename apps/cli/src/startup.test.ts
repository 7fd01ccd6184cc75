// Fast start and the bits of the CLI that need no API: --help, --version, completion scripts, and
// the static import graph of the entry point (what `todo --help` has to load).
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BIN, runTodo } from "./testing/cli.js";
import { CLI_VERSION } from "./version.js";

const run = promisify(execFile);

/** Every module the entry point loads before any action runs: static imports, followed through dist/. */
async function staticImportGraph(
  entry: string,
): Promise<{ files: Set<string>; packages: Set<string> }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = async (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = await readFile(file, "utf8");
    for (const match of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)";/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith(".")) await visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  await visit(entry);
  return { files, packages };
}

describe("start-up", () => {
  it("answers --version from the entry point alone, without loading commander", async () => {
    const { packages, files } = await staticImportGraph(BIN);
    expect([...packages].sort()).toEqual(["node:module"]);
    expect([...files].map((file) => file.replace(/^.*\/dist\//, "")).sort()).toEqual([
      "bin.js",
      "version.js",
    ]);
    const manifest = JSON.parse(
      await readFile(new URL("../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(CLI_VERSION).toBe(manifest.version);
  });

  it("loads only commander and node built-ins before a command runs (no zod, client or prompts)", async () => {
    const { packages, files } = await staticImportGraph(resolve(dirname(BIN), "program.js"));
    expect([...packages].sort()).toEqual(["commander"]);
    expect([...files].map((file) => file.replace(/^.*\/dist\//, "")).sort()).not.toContain(
      "context.js",
    );
  });

  it("prints help and the version with exit 0", async () => {
    const help = await runTodo(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: todo [options] [command]");
    for (const command of [
      "signup",
      "login",
      "logout",
      "whoami",
      "add",
      "list",
      "show",
      "done",
      "undo",
      "edit",
      "rm",
      "restore",
      "completion",
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
    for (const flag of ["--version", "-v"]) {
      expect(await runTodo([flag], {})).toMatchObject({ code: 0, stdout: "0.1.0\n", stderr: "" });
    }
    // Anything else next to --version goes through commander, which still answers it.
    expect(await runTodo(["--version", "--json"], {})).toMatchObject({
      code: 0,
      stdout: "0.1.0\n",
    });
    const listHelp = await runTodo(["list", "--help"], {});
    expect(listHelp.stdout).toContain("--overdue");
    expect(listHelp.stdout).toContain("--json");
    expect(listHelp.stdout).toContain("--api-url <url>");
  });

  it("exits 0 without a stack trace when the reader closes the pipe early (todo --help | head -1)", async () => {
    for (const args of [["--help"], ["--version"]]) {
      const child = spawn(process.execPath, [BIN, ...args], { env: {}, stdio: "pipe" });
      child.stdout.destroy();
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, "close")) as [number | null];
      expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: "" });
    }
  });
});

describe("completion", () => {
  it("prints a bash script that completes commands, options and option values", async () => {
    const { stdout, code } = await runTodo(["completion", "bash"], {});
    expect(code).toBe(0);
    const complete = async (...words: string[]) => {
      const script = `${stdout}\nCOMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _todo; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await run("/bin/bash", ["--norc", "-c", script])).stdout.trim().split("\n");
    };
    expect(await complete("todo", "li")).toEqual(["list"]);
    expect(await complete("todo", "add", "--pri")).toEqual(["--priority"]);
    expect(await complete("todo", "list", "-p", "")).toEqual(["none", "low", "medium", "high"]);
    expect(await complete("todo", "list", "--sort", "-d")).toEqual(["-dueDate"]);
    expect(await complete("todo", "add", "x", "--due", "tom")).toEqual(["tomorrow"]);
    expect(await complete("todo", "completion", "f")).toEqual(["fish"]);
  });

  it("prints zsh and fish scripts, and refuses other shells with exit 2", async () => {
    const zsh = await runTodo(["completion", "zsh"], {});
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef todo\n/);
    expect(zsh.stdout).toContain("compdef _todo todo");
    expect(zsh.stdout).toContain("'add:add a task; the title may be several words'");
    const fish = await runTodo(["completion", "fish"], {});
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain(
      "complete -c todo -n __fish_use_subcommand -a list -d 'list your tasks (pending ones unless --done or --all)'",
    );
    expect(fish.stdout).toContain(
      "complete -c todo -n '__fish_seen_subcommand_from list ls' -s p -l priority -x -a 'none low medium high'",
    );
    const other = await runTodo(["completion", "tcsh"], {});
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("Allowed choices are bash, zsh, fish");
  });
});
