// Fast start and the bits of the CLI that need no API: --help, --version, completion scripts, and
// what each run loads (the files of dist/, and what esbuild put in each: dist/meta.json).
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { posix } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BIN, runTodo } from "./testing/cli.js";
import { filesLoadedBy } from "./testing/loads.js";
import { CLI_VERSION } from "./version.js";

const run = promisify(execFile);

interface Metafile {
  outputs: Record<
    string,
    {
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, unknown>;
    }
  >;
}

const meta = JSON.parse(
  await readFile(new URL("../dist/meta.json", import.meta.url), "utf8"),
) as Metafile;

/** The sources bundled into `files`, as package names (`zod`, `commander`) or `src/…` paths. */
function sourcesOf(files: readonly string[]): Set<string> {
  return new Set(
    files.flatMap((file) =>
      Object.keys(meta.outputs[file]?.inputs ?? {}).map(
        (input) =>
          /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ??
          input.replace(/^(\.\.\/)+/, ""),
      ),
    ),
  );
}

describe("start-up", () => {
  it("loads only what a run needs: --version the entry point, a command the program, zod and the prompts only for the commands that use them", async () => {
    expect(await filesLoadedBy(["--version"])).toEqual(["bin.js"]);
    expect(await filesLoadedBy(["--help"])).toEqual(["bin.js", "program.js"]);
    expect(await filesLoadedBy(["list"])).toEqual(["bin.js", "program.js"]); // not logged in: exit 4
    // Shell completion's project names, on every Tab: one small module, without commander.
    expect(await filesLoadedBy(["__complete", "projects"])).toEqual(["bin.js", "complete.js"]);
    expect(await filesLoadedBy(["signup", "--email", "a@example.com"], {}, "short\n")).toEqual([
      "bin.js",
      "lazy/contract.mjs",
      "program.js",
    ]);
    // What is in those files: commander and the commands, not zod, the contract or the prompts.
    const program = sourcesOf(["dist/program.js"]);
    expect(program).toContain("commander");
    expect(program).toContain("src/commands/list.ts");
    // node:crypto only when a run needs it (an idempotency key, a cache file's name).
    expect(meta.outputs["dist/program.js"]?.imports.map((entry) => entry.path)).not.toContain(
      "node:crypto",
    );
    const completer = sourcesOf(["dist/complete.js"]);
    expect(completer).toContain("src/complete.ts");
    for (const heavy of ["commander", "zod", "src/commands/list.ts"])
      expect(completer, heavy).not.toContain(heavy);
    const everything = sourcesOf(Object.keys(meta.outputs));
    for (const heavy of ["zod", "@inquirer/password", "packages/contract/src/tasks.ts"]) {
      expect(everything, heavy).toContain(heavy);
      expect(program, heavy).not.toContain(heavy);
    }
    const manifest = JSON.parse(
      await readFile(new URL("../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(CLI_VERSION).toBe(manifest.version);
  });

  it("is self-contained: the package declares no dependencies and the bundle imports only Node built-ins", async () => {
    const manifest = JSON.parse(
      await readFile(new URL("../package.json", import.meta.url), "utf8"),
    ) as { dependencies?: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    // Every import the bundler left in place is a Node built-in or another file of dist/.
    const unresolved = Object.entries(meta.outputs).flatMap(([file, output]) =>
      output.imports
        .filter((entry) => entry.external)
        .map((entry) => entry.path)
        .filter((path) =>
          path.startsWith(".")
            ? !(posix.join(posix.dirname(file), path) in meta.outputs)
            : !isBuiltin(path),
        ),
    );
    expect(unresolved).toEqual([]);
    expect(Object.keys(meta.outputs)).toContain("dist/lazy/contract.mjs");
  });

  it("prints help and the version with exit 0", async () => {
    const help = await runTodo(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: todo [options] [command]");
    expect(help.stdout).not.toContain("__complete");
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
    // `todo help` is help too, not a usage error.
    for (const args of [["help"], ["help", "add"], ["add", "--help"]]) {
      const result = await runTodo(args, {});
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 0,
        stderr: "",
      });
      expect(result.stdout).toMatch(/^Usage: todo /);
    }
    expect((await runTodo(["help", "add"], {})).stdout).toContain(
      "Usage: todo add [options] <title...>",
    );
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

describe("usage errors", () => {
  it("are one sentence naming the command's own help, with exit 2 and nothing on stdout", async () => {
    for (const [args, stderr] of [
      [["add", "x", "--bogus"], "Unknown option '--bogus'; run `todo add --help` for usage.\n"],
      [["show"], "Missing required argument 'id'; run `todo show --help` for usage.\n"],
      [
        ["list", "--limit", "500"],
        "Option '--limit <n>' argument '500' is invalid: must be a whole number from 1 to 100; run `todo list --help` for usage.\n",
      ],
      [
        ["list", "--sort", "size"],
        "Option '--sort <field>' argument 'size' is invalid: sort by due, created, updated, priority or title (removed with --deleted), with a leading - for descending; run `todo list --help` for usage.\n",
      ],
      [["lsit"], "Unknown command 'lsit' (did you mean list?); run `todo --help` for usage.\n"],
    ] as const) {
      expect({ args, ...(await runTodo(args, {})) }).toEqual({ args, code: 2, stdout: "", stderr });
    }
    // Help for a command that does not exist: the list of commands, as an error.
    expect(await runTodo(["help", "nosuch"], {})).toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(/^Usage: todo \[options\] \[command\]\n[^]*\n {2}list\|ls /),
    });
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
    expect(await complete("todo", "list", "--sort", "-d")).toEqual(["-due"]);
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
      "complete -c todo -n __fish_use_subcommand -a list -d 'list your tasks (pending ones unless --done, --all or --deleted)'",
    );
    expect(fish.stdout).toContain(
      "complete -c todo -n '__fish_seen_subcommand_from list ls' -s p -l priority -x -a 'none low medium high'",
    );
    // Project names come from the API, through the hidden `todo __complete projects`.
    expect(zsh.stdout).toContain(
      "'(-P --project)'{-P,--project}'[put it in this project (by name, any case)]:project:_todo_projects active'",
    );
    expect(zsh.stdout).toContain("':name:_todo_projects archived'");
    expect(fish.stdout).toContain(
      "complete -c todo -n '__fish_seen_subcommand_from project; and __fish_seen_subcommand_from unarchive' -x -a '(todo __complete projects archived)'",
    );
    const other = await runTodo(["completion", "tcsh"], {});
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      "Command-argument value 'tcsh' is invalid for argument 'shell': allowed choices are bash, zsh, fish; run `todo completion --help` for usage.\n",
    );
  });
});
