// Test support for the core's own tests (not built into dist: see tsconfig.build.json).
import { expect } from "vitest";
import { DomainError } from "./errors.js";

/** The {@link DomainError} `promise` rejects with; fails the test when it resolves or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}
