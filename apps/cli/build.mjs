// Bundles the CLI into dist/ with esbuild, so the published package has no dependencies at all
// (the workspace packages are private, and nothing of the server ends up in a user's tree) and
// starts like Node, which has no compile cache before 22.1 and pays for every module it loads:
// - dist/bin.js: the entry point alone, so `todo --version` loads one small file;
// - dist/program.js: commander, every command and everything a command needs to talk to the API;
// - dist/chunks/: what only some runs need, loaded when they need it (zod and the contract for
//   edit and signup, the prompts, string-width for non-ASCII tables).
// dist/meta.json (esbuild's metafile: which sources went into which file) serves the start-up
// tests and is left out of the package.
import { build } from "esbuild";
import { rm, writeFile } from "node:fs/promises";

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
};

await rm("dist", { recursive: true, force: true });
const entry = await build({
  ...common,
  entryPoints: ["src/bin.ts"],
  outfile: "dist/bin.js",
  plugins: [
    {
      name: "program-apart",
      setup(plugin) {
        plugin.onResolve({ filter: /^\.\/program\.js$/ }, () => ({
          path: "./program.js",
          external: true,
        }));
      },
    },
  ],
});
const program = await build({
  ...common,
  entryPoints: ["src/program.ts"],
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  // commander is CommonJS and requires Node built-ins; an ES module has no `require` of its own.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
await writeFile(
  "dist/meta.json",
  JSON.stringify({
    inputs: { ...entry.metafile.inputs, ...program.metafile.inputs },
    outputs: { ...entry.metafile.outputs, ...program.metafile.outputs },
  }),
);
