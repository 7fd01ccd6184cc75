// Bundles the CLI into dist/ with esbuild, so the published package has no dependencies at all
// (the workspace packages are private, and nothing of the server ends up in a user's tree) and
// starts like Node, which has no compile cache before 22.1 and pays for every module it loads:
// - dist/bin.js: the entry point alone, so `todo --version` loads one small file;
// - dist/program.js: commander, every command and everything a command needs to talk to the API,
//   in one file (a second file costs a run about a millisecond);
// - dist/lazy/: what only some runs need, loaded when they need it: zod and the contract (edit,
//   signup), and the prompts. Built apart from program.js so that nothing they share with it
//   becomes a file every run has to load.
// dist/meta.json (esbuild's metafiles: which sources went into which file) serves the start-up
// tests and is left out of the package.
import { build } from "esbuild";
import { rm, writeFile } from "node:fs/promises";

/** Bare imports of program.js that are loaded lazily, and the file in dist/lazy/ each becomes. */
const LAZY = {
  "@todo/contract": "contract",
  "@inquirer/password": "password",
  "@inquirer/input": "input",
};

const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Bundle the workspace packages from their TypeScript source, as the tests read them.
  conditions: ["@todo/source"],
  minify: true,
  metafile: true,
  logLevel: "warning",
  // Some dependencies (commander, the prompts' helpers) are CommonJS and require Node built-ins,
  // and an ES module has no `require` of its own. Everything else is bundled, so a `require` that
  // only hands out built-ins will do, and skips Node's CommonJS loader.
  banner: {
    js: "const require = (id) => process.getBuiltinModule(id) ?? (() => { throw new Error(`Cannot require ${id}: not a Node built-in`); })();",
  },
};

/** An esbuild plugin that leaves `specifier` imports as imports of `path`, relative to the output. */
const externalAs = (paths) => ({
  name: "external-as",
  setup(plugin) {
    const filter = new RegExp(`^(${Object.keys(paths).join("|")})$`);
    plugin.onResolve({ filter }, ({ path }) => ({ path: paths[path], external: true }));
  },
});

await rm("dist", { recursive: true, force: true });
const results = await Promise.all([
  build({
    ...common,
    banner: {},
    entryPoints: ["src/bin.ts"],
    outfile: "dist/bin.js",
    plugins: [externalAs({ "./program.js": "./program.js" })],
  }),
  build({
    ...common,
    entryPoints: ["src/program.ts"],
    outfile: "dist/program.js",
    plugins: [
      externalAs(
        Object.fromEntries(
          Object.entries(LAZY).map(([specifier, name]) => [specifier, `./lazy/${name}.js`]),
        ),
      ),
    ],
  }),
  build({
    ...common,
    entryPoints: Object.entries(LAZY).map(([specifier, name]) => ({ in: specifier, out: name })),
    outdir: "dist/lazy",
    splitting: true,
    chunkNames: "chunk-[hash]",
  }),
]);
await writeFile(
  "dist/meta.json",
  JSON.stringify({
    inputs: Object.assign({}, ...results.map((result) => result.metafile.inputs)),
    outputs: Object.assign({}, ...results.map((result) => result.metafile.outputs)),
  }),
);
