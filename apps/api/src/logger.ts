import type { Config } from "@todo/config";
import { pino, type DestinationStream, type Logger } from "pino";

/** Field paths whose values never reach a log line, wherever a log call puts them. */
export const REDACTED_PATHS = [
  "password",
  "*.password",
  "*.currentPassword",
  "*.newPassword",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "token",
  "*.token",
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "headers.cookie",
];

/**
 * The JSON logger: one line per event, on stdout unless `destination` is given (tests pass a
 * memory stream). Secrets are redacted by path (OWASP Logging Cheat Sheet) as a second line of
 * defence; request logging never includes headers, query strings or bodies in the first place.
 */
export function createLogger(
  config: Pick<Config, "logLevel">,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}
