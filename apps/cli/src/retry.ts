/**
 * Sending a create so that it takes effect once, however often it has to be sent: every attempt
 * carries the same `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header), so the API
 * replays the first answer instead of creating twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError, NetworkError } from "@todo/client";

/**
 * Calls `send` with a fresh idempotency key, and again with the same key:
 * - after a network failure (the API may have created the resource before the answer was lost),
 *   up to `networkAttempts` attempts in all, backing off 250 ms, 500 ms, …;
 * - after a 409 `idempotency_conflict` (the first attempt is still running on the API), waiting its
 *   `Retry-After`, for as long as the API says so. The API ends that state itself (it stores the
 *   answer, or takes over a key whose request died), so no deadline here can cut short a slow but
 *   healthy request on a busy machine.
 * @throws whatever the last attempt threw, or any other failure at once.
 */
export async function createOnce<T>(
  send: (idempotencyKey: string) => Promise<T>,
  networkAttempts: number,
): Promise<T> {
  // node:crypto costs a few ms to load: only `add` pays for it.
  const { randomUUID } = process.getBuiltinModule("node:crypto");
  const idempotencyKey = randomUUID();
  for (let networkFailures = 0; ;) {
    try {
      return await send(idempotencyKey);
    } catch (error) {
      if (error instanceof NetworkError && ++networkFailures < networkAttempts) {
        await sleep(250 * 2 ** (networkFailures - 1));
      } else if (
        error instanceof ApiError &&
        error.code === "idempotency_conflict" &&
        error.status === 409
      ) {
        await sleep((error.retryAfterSeconds ?? 1) * 1000);
      } else {
        throw error;
      }
    }
  }
}
