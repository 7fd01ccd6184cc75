import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signup, startTestApi, type TestApi } from "../testing/index.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

describe("per-user numbering", () => {
  it("gives exactly ids 1..50 to 50 concurrent creates by one user", async () => {
    const { token } = await signup(api.url, { email: "numbers@example.com" });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        fetch(`${api.url}/api/v1/tasks`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ title: `task ${index}` }),
        }),
      ),
    );
    const ids = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { id: number }).id),
    );
    expect(responses.every((response) => response.status === 201)).toBe(true);
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
  });
});
