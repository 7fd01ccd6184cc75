/**
 * This package's version, as `todo --version` prints it. A constant rather than a read of
 * package.json, so the `--version` fast path loads one small module; a test keeps the two equal.
 */
export const CLI_VERSION = "0.1.0";
