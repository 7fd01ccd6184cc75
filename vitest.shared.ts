// The vitest settings every package shares; each package's vitest.config.ts re-exports these.
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests read TypeScript source through the "@todo/source" export condition.
  resolve: { conditions: ["@todo/source"] },
  ssr: { resolve: { conditions: ["@todo/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    // argon2id at OWASP parameters, a fresh database per file and spawned binaries are real, not
    // fast, and CI runs on a busy 2-core machine: the limits only catch a true hang, never load.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
