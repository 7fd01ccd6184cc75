// The vitest settings every package shares; each package's vitest.config.ts re-exports these.
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests read TypeScript source through the "@todo/source" export condition.
  resolve: { conditions: ["@todo/source"] },
  ssr: { resolve: { conditions: ["@todo/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    // argon2id at OWASP parameters and a fresh database per file are deliberately real, not fast.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
