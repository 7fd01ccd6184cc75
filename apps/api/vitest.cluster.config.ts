// The cluster test (`.ci/cluster`): its own run, apart from `pnpm test`, with its own JSON report.
import { defineConfig } from "vitest/config";
import shared from "../../vitest.shared.js";

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["cluster/**/*.test.ts"],
    outputFile: { json: "test-results/cluster.json" },
  },
});
