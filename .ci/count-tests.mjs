// Sums vitest's JSON reports (one per package and database) into the closing line CI reads.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

let passed = 0;
let failed = 0;
for (const dir of process.argv.slice(2)) {
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".json"))) {
    const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
    // A test file that fails to load has no failed test in it; count it as one failure.
    const brokenFiles = report.testResults.filter(
      (suite) =>
        suite.status === "failed" &&
        !suite.assertionResults.some((test) => test.status === "failed"),
    ).length;
    passed += report.numPassedTests;
    failed += report.numFailedTests + brokenFiles;
    console.log(
      `${basename(dir)}/${basename(file, ".json")}: ${report.numPassedTests} passed, ` +
        `${report.numFailedTests + brokenFiles} failed, ${report.numPendingTests} skipped`,
    );
  }
}
console.log(`tests: ${passed} passed, ${failed} failed`);
