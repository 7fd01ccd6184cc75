// One linter for the whole tree, type-aware so an un-awaited promise in a handler is caught.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const ENV_MESSAGE =
  "Read settings through @todo/config (loadConfig, testConfig, testDatabaseUrl): it is the only reader of process.env.";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/.data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests assert on parsed JSON bodies of any shape; the unsafe-any rules only add noise there.
    files: ["**/*.test.ts", "**/test-helpers.ts", "**/testing/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // DESIGN §1: @todo/config is the only reader of the environment; everything else gets a Config.
    ignores: ["packages/config/src/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: ENV_MESSAGE },
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: ["node:process", "process"].map((name) => ({
            name,
            importNames: ["env"],
            message: ENV_MESSAGE,
          })),
        },
      ],
    },
  },
  {
    // The bench starts the API and the CLI as child processes and hands them its environment, as
    // a shell would; it configures nothing itself.
    files: ["bench/src/servers.ts", "bench/src/cli.ts"],
    rules: { "no-restricted-properties": "off" },
  },
);
