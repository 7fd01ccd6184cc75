// Test helper: which files of the built CLI a run loads. Not part of the build.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { BIN, runTodo } from "./cli.js";

/**
 * The files of dist/ a run of `todo args…` loads, sorted: CommonJS ones read from `require.cache`
 * as the process exits, ES modules logged by a module-loading hook, both set up by a preloaded
 * script. `env` is the run's environment (as {@link runTodo} takes it).
 */
export async function filesLoadedBy(
  args: readonly string[],
  env: Record<string, string> = {},
  input = "",
): Promise<string[]> {
  const folder = await mkdtemp(join(tmpdir(), "todo-cli-loads-"));
  await writeFile(
    join(folder, "hooks.mjs"),
    [
      'import { appendFileSync } from "node:fs";',
      "let log;",
      "export function initialize(path) { log = path; }",
      "export async function load(url, context, nextLoad) {",
      "  appendFileSync(log, `${url}\\n`);",
      "  return nextLoad(url, context);",
      "}",
    ].join("\n"),
  );
  await writeFile(
    join(folder, "spy.cjs"),
    [
      'const { register } = require("node:module");',
      'const { join } = require("node:path");',
      'const { pathToFileURL } = require("node:url");',
      'register(pathToFileURL(join(__dirname, "hooks.mjs")), { data: join(__dirname, "esm.log") });',
      'process.on("exit", () => require("node:fs").writeFileSync(join(__dirname, "cjs.log"), Object.keys(require.cache).join("\\n")));',
    ].join("\n"),
  );
  await writeFile(join(folder, "esm.log"), "");
  const result = await runTodo(
    args,
    { ...env, NODE_OPTIONS: `--require=${join(folder, "spy.cjs")}` },
    input,
  );
  const logged = [
    ...(await readFile(join(folder, "cjs.log"), "utf8")).split("\n"),
    ...(await readFile(join(folder, "esm.log"), "utf8"))
      .split("\n")
      .filter((url) => url.startsWith("file:"))
      .map((url) => fileURLToPath(url)),
  ];
  await rm(folder, { recursive: true, force: true });
  expect(result.stderr, "the run itself").not.toMatch(/Error/);
  const dist = dirname(BIN);
  // Chunks the lazy modules share (esbuild's names change with their content) are left out.
  return [...new Set(logged.filter((file) => file.startsWith(dist)))]
    .map((file) => relative(dist, file))
    .filter((file) => !/^lazy\/chunk-/.test(file))
    .sort();
}
