// Bundles the CLI into dist/ with esbuild, so the published package has no dependencies at all
// (the workspace packages are private, and nothing of the server ends up in a user's tree) and
// starts like Node. Node 20 has no compile cache (22.1 brings one) and pays for every file it
// loads, and its ES module loader costs a run ~4 ms more than its CommonJS one; so the output is
// CommonJS (dist/package.json says so, for this "type": "module" package), in as few files as
// each run can use:
// - dist/bin.js: the entry point alone, so `todo --version` loads one small file;
// - dist/program.js: commander, every command and everything a command needs to talk to the API;
// - dist/complete.js: `todo __complete` (project names for shell completion) and what it needs to
//   talk to the API, without commander or the commands: it runs on every Tab;
// - dist/lazy/: what only some runs need, loaded when they need it: zod and the contract (edit,
//   signup), and the prompts. ES modules (.mjs), loaded with a real `import()`: those runs pay
//   for the ES module loader, and get exactly the ES module semantics these libraries expect.
// dist/meta.json (esbuild's metafiles: which sources went into which file) serves the start-up
// tests and is left out of the package.
import { build } from "esbuild";
import { rm, writeFile } from "node:fs/promises";

/** Imports left as imports of another file of dist/ (relative to the importing file). */
const PROGRAM = { "./program.js": "./program.js", "./complete.js": "./complete.js" };
const LAZY = {
  "@todo/contract": "./lazy/contract.mjs",
  "@inquirer/password": "./lazy/password.mjs",
  "@inquirer/input": "./lazy/input.mjs",
};

const common = {
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  // Bundle the workspace packages from their TypeScript source, as the tests read them.
  conditions: ["@todo/source"],
  minify: true,
  metafile: true,
  logLevel: "warning",
};

/** Leaves imports of `paths`' keys as imports of their values. */
const externalAs = (paths) => ({
  name: "external-as",
  setup(plugin) {
    const filter = new RegExp(`^(${Object.keys(paths).join("|").replace(/\./g, "\\.")})$`);
    plugin.onResolve({ filter }, ({ path }) => ({ path: paths[path], external: true }));
  },
});

/**
 * commander requires node:child_process as it loads, but spawns only for stand-alone executable
 * subcommands, which todo has none of: hand it a stand-in that loads the module on first use.
 */
const childProcessOnUse = {
  name: "child-process-on-use",
  setup(plugin) {
    plugin.onResolve({ filter: /^(node:)?child_process$/ }, () => ({
      path: "child_process",
      namespace: "on-use",
    }));
    plugin.onLoad({ filter: /.*/, namespace: "on-use" }, () => ({
      contents:
        'module.exports = new Proxy({}, { get: (_, key) => process.getBuiltinModule("node:child_process")[key] });',
    }));
  },
};

await rm("dist", { recursive: true, force: true });
const results = await Promise.all([
  build({
    ...common,
    entryPoints: ["src/bin.ts"],
    outfile: "dist/bin.js",
    // Its `import()` of the program becomes a `require()`: synchronous, no ES module loader.
    supported: { "dynamic-import": false },
    plugins: [externalAs(PROGRAM)],
  }),
  build({
    ...common,
    entryPoints: ["src/complete.ts"],
    outfile: "dist/complete.js",
    plugins: [externalAs(LAZY)],
  }),
  build({
    ...common,
    entryPoints: ["src/program.ts"],
    outfile: "dist/program.js",
    plugins: [externalAs(LAZY), childProcessOnUse],
  }),
  build({
    ...common,
    format: "esm",
    entryPoints: Object.entries(LAZY).map(([specifier, file]) => ({
      in: specifier,
      out: file.slice("./lazy/".length, -".mjs".length),
    })),
    outdir: "dist/lazy",
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "chunk-[hash]",
    // The prompts' helpers are CommonJS and require Node built-ins; an ES module has no
    // `require`, and everything else is bundled, so one that hands out built-ins will do.
    banner: {
      js: "const require = (id) => process.getBuiltinModule(id) ?? (() => { throw new Error(`Cannot require ${id}: not a Node built-in`); })();",
    },
  }),
]);
await writeFile("dist/package.json", `${JSON.stringify({ type: "commonjs" })}\n`);
await writeFile(
  "dist/meta.json",
  JSON.stringify({
    inputs: Object.assign({}, ...results.map((result) => result.metafile.inputs)),
    outputs: Object.assign({}, ...results.map((result) => result.metafile.outputs)),
  }),
);
