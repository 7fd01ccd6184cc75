import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../testing.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

async function signup(email: string): Promise<string> {
  const response = await fetch(`${api.url}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct horse battery" }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

describe("per-user numbering", () => {
  it("gives exactly ids 1..50 to 50 concurrent creates by one user", async () => {
    const token = await signup("numbers@example.com");
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
