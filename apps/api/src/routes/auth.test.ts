// Auth and profile endpoints over real HTTP: signup, login, tokens, refresh rotation, logout,
// password change and account deletion (DESIGN §3 "Auth").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PASSWORD,
  signJwt,
  startHarness,
  uniqueEmail,
  withoutRequestId,
  type Harness,
} from "../testing/index.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const expectProblem = (
  reply: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) => {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({
    status,
    code,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(reply.body.requestId).toBe(reply.headers.get("x-request-id"));
  expect(JSON.stringify(reply.body)).not.toMatch(/select|insert|stack|node_modules/i);
};

describe("POST /auth/signup", () => {
  it("creates the account and answers 201 with the session body", async () => {
    const reply = await h.request("POST", "/api/v1/auth/signup", {
      json: { email: "  Signup.Shape@Example.COM ", password: PASSWORD, name: "  Ada " },
    });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.body).sort()).toEqual([
      "accessToken",
      "expiresIn",
      "refreshToken",
      "tokenType",
      "user",
    ]);
    expect(reply.body.user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: "signup.shape@example.com",
      name: "Ada",
      timeZone: "UTC",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(reply.body.tokenType).toBe("Bearer");
    expect(reply.body.expiresIn).toBe(900);
    expect(reply.body.accessToken.split(".")).toHaveLength(3);
    expect(reply.body.refreshToken.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(reply.body)).not.toMatch(/password/i);
    const me = await h.request("GET", "/api/v1/users/me", { token: reply.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(reply.body.user);
  });

  it("answers 409 email_taken for an email already registered, ignoring case and spaces", async () => {
    await h.user("taken@example.com");
    for (const email of ["taken@example.com", "TAKEN@example.com", "  Taken@Example.com  "]) {
      expectProblem(
        await h.request("POST", "/api/v1/auth/signup", { json: { email, password: PASSWORD } }),
        409,
        "email_taken",
      );
    }
  });

  it("refuses short and long passwords, bad emails and unknown fields with 422 naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: "short@example.com", password: "1234567" }, "password"],
      [{ email: "long@example.com", password: "x".repeat(129) }, "password"],
      [{ email: "not-an-email", password: PASSWORD }, "email"],
      [{ email: "extra@example.com", password: PASSWORD, role: "admin" }, "role"],
      [{ password: PASSWORD }, "email"],
    ];
    for (const [json, path] of cases) {
      const reply = await h.request("POST", "/api/v1/auth/signup", { json });
      expectProblem(reply, 422, "validation_failed");
      expect(reply.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    }
  });
});

describe("POST /auth/login", () => {
  it("logs in with any case of the email and answers 200 with the session body", async () => {
    const user = await h.user("login@example.com");
    const reply = await h.request("POST", "/api/v1/auth/login", {
      json: { email: " LOGIN@example.com", password: PASSWORD },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      user: { id: user.id, email: "login@example.com" },
      tokenType: "Bearer",
      expiresIn: 900,
    });
    expect(
      (await h.request("GET", "/api/v1/users/me", { token: reply.body.accessToken })).status,
    ).toBe(200);
  });

  it("answers an unknown email and a wrong password identically (status, headers, body minus requestId)", async () => {
    await h.user("known@example.com");
    const unknown = await h.request("POST", "/api/v1/auth/login", {
      json: { email: "nobody@example.com", password: PASSWORD },
    });
    const wrong = await h.request("POST", "/api/v1/auth/login", {
      json: { email: "known@example.com", password: "wrong password!" },
    });
    expectProblem(unknown, 401, "invalid_credentials");
    expect(wrong.status).toBe(unknown.status);
    expect(withoutRequestId(wrong.body)).toEqual(withoutRequestId(unknown.body));
    expect(wrong.headers.get("www-authenticate")).toBe(unknown.headers.get("www-authenticate"));
  });
});

describe("access tokens", () => {
  const cases = (secret: string, userId: string): [string, string | undefined][] => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: userId, iss: "todo", aud: "todo-api", iat: now, exp: now + 600 };
    return [
      ["garbage", "not-a-jwt"],
      ["three garbage parts", "a.b.c"],
      ["alg none", signJwt(claims, secret, "none")],
      ["wrong secret", signJwt(claims, "another-secret-that-is-at-least-32-bytes-long")],
      ["wrong issuer", signJwt({ ...claims, iss: "someone-else" }, secret)],
      ["wrong audience", signJwt({ ...claims, aud: "another-api" }, secret)],
      ["no exp", signJwt({ sub: userId, iss: "todo", aud: "todo-api", iat: now }, secret)],
      ["unknown user", signJwt({ ...claims, sub: "00000000-0000-4000-8000-000000000000" }, secret)],
      ["sub not a uuid", signJwt({ ...claims, sub: "1 OR 1=1" }, secret)],
    ];
  };

  it("answers 401 unauthorized with WWW-Authenticate: Bearer for a missing or malformed header", async () => {
    for (const authorization of [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Basic dXNlcjpwYXNz",
      "Bearer a b",
    ]) {
      const reply = await h.request(
        "GET",
        "/api/v1/tasks",
        authorization === undefined ? {} : { headers: { authorization } },
      );
      expectProblem(reply, 401, "unauthorized");
      expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
  });

  it("answers 401 unauthorized for garbage, alg:none, wrong secret/iss/aud, no exp and unknown users, on every auth'd route", async () => {
    const user = await h.user();
    for (const [name, token] of cases(h.api.config.jwt.secret, user.id)) {
      for (const [method, path] of [
        ["GET", "/api/v1/tasks"],
        ["GET", "/api/v1/users/me"],
        ["POST", "/api/v1/tasks"],
      ] as const) {
        const reply = await h.request(method, path, {
          token,
          json: method === "POST" ? { title: "x" } : undefined,
        });
        expect(reply.status, `${name} ${method} ${path}`).toBe(401);
        expect(reply.body.code, name).toBe("unauthorized");
        expect(reply.headers.get("www-authenticate"), name).toMatch(/^Bearer /);
      }
    }
    const list = await h.request("GET", "/api/v1/tasks", { token: user.token });
    expect(list.body.data).toEqual([]);
  });

  it("answers 401 token_expired, with an invalid_token challenge, for an expired token", async () => {
    const user = await h.user();
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      { sub: user.id, iss: "todo", aud: "todo-api", iat: now - 1000, exp: now - 100 },
      h.api.config.jwt.secret,
    );
    const reply = await h.request("GET", "/api/v1/tasks", { token });
    expectProblem(reply, 401, "token_expired");
    expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it("accepts a well-formed token signed with the secret (the forging helper is sound)", async () => {
    const user = await h.user();
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      { sub: user.id, iss: "todo", aud: "todo-api", iat: now, exp: now + 60 },
      h.api.config.jwt.secret,
    );
    expect((await h.request("GET", "/api/v1/users/me", { token })).body.id).toBe(user.id);
  });
});

describe("POST /auth/refresh and /auth/logout", () => {
  const refresh = (refreshToken: string) =>
    h.request("POST", "/api/v1/auth/refresh", { json: { refreshToken } });

  it("rotates the pair: the new tokens work, the old refresh token stops working", async () => {
    const user = await h.user();
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      user: { id: user.id },
      tokenType: "Bearer",
      expiresIn: 900,
    });
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(
      (await h.request("GET", "/api/v1/users/me", { token: first.body.accessToken })).status,
    ).toBe(200);
    expectProblem(await refresh(user.refreshToken), 401, "unauthorized");
  });

  it("revokes the whole family when a rotated token is reused: the newest token stops working too", async () => {
    const user = await h.user();
    const second = (await refresh(user.refreshToken)).body.refreshToken as string;
    const third = (await refresh(second)).body.refreshToken as string;
    expectProblem(await refresh(user.refreshToken), 401, "unauthorized");
    expectProblem(await refresh(third), 401, "unauthorized");
    // The revoked session's access tokens stop working at once, too.
    expectProblem(
      await h.request("GET", "/api/v1/tasks", { token: user.token }),
      401,
      "unauthorized",
    );
    // Another session of the same user is not touched.
    const login = await h.request("POST", "/api/v1/auth/login", {
      json: { email: user.email, password: PASSWORD },
    });
    expect((await refresh(login.body.refreshToken)).status).toBe(200);
  });

  it("answers 401 for an unknown refresh token and 422 for a missing one", async () => {
    expectProblem(await refresh("x".repeat(43)), 401, "unauthorized");
    expectProblem(
      await h.request("POST", "/api/v1/auth/refresh", { json: {} }),
      422,
      "validation_failed",
    );
  });

  it("logout answers 204 and revokes that session only", async () => {
    const user = await h.user();
    const other = await h.request("POST", "/api/v1/auth/login", {
      json: { email: user.email, password: PASSWORD },
    });
    const reply = await h.request("POST", "/api/v1/auth/logout", {
      json: { refreshToken: user.refreshToken },
    });
    expect(reply.status).toBe(204);
    expect(reply.body).toBeNull();
    expectProblem(await refresh(user.refreshToken), 401, "unauthorized");
    // That session's access token stops working at once; the other session's keeps working.
    const dead = await h.request("GET", "/api/v1/users/me", { token: user.token });
    expectProblem(dead, 401, "unauthorized");
    expect(dead.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(
      (await h.request("GET", "/api/v1/users/me", { token: other.body.accessToken })).status,
    ).toBe(200);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
    // Logging out twice, or with an unknown token, is harmless.
    expect(
      (
        await h.request("POST", "/api/v1/auth/logout", {
          json: { refreshToken: user.refreshToken },
        })
      ).status,
    ).toBe(204);
    expect(
      (await h.request("POST", "/api/v1/auth/logout", { json: { refreshToken: "unknown" } }))
        .status,
    ).toBe(204);
  });
});

describe("/users/me", () => {
  it("PATCH updates and clears the name, refuses unknown fields and blank names", async () => {
    const user = await h.user();
    const named = await h.request("PATCH", "/api/v1/users/me", {
      token: user.token,
      json: { name: "  Grace Hopper " },
    });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ id: user.id, email: user.email, name: "Grace Hopper" });
    expect((await h.request("GET", "/api/v1/users/me", { token: user.token })).body.name).toBe(
      "Grace Hopper",
    );
    const cleared = await h.request("PATCH", "/api/v1/users/me", {
      token: user.token,
      json: { name: null },
    });
    expect(cleared.body.name).toBeNull();
    for (const json of [
      { email: "new@example.com" },
      { name: "" },
      { name: "x".repeat(101) },
      { id: user.id },
    ]) {
      expectProblem(
        await h.request("PATCH", "/api/v1/users/me", { token: user.token, json }),
        422,
        "validation_failed",
      );
    }
    expect((await h.request("GET", "/api/v1/users/me", { token: user.token })).body).toMatchObject({
      email: user.email,
      name: null,
    });
  });

  it("keeps an IANA time zone: from signup, changed by PATCH in its canonical spelling, never an unknown one", async () => {
    const signedUp = await h.request("POST", "/api/v1/auth/signup", {
      json: { email: uniqueEmail("zone"), password: PASSWORD, timeZone: "Pacific/Kiritimati" },
    });
    expect(signedUp.status).toBe(201);
    expect(signedUp.body.user.timeZone).toBe("Pacific/Kiritimati");
    const token = signedUp.body.accessToken as string;
    const changed = await h.request("PATCH", "/api/v1/users/me", {
      token,
      json: { timeZone: "europe/berlin" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.timeZone).toBe("Europe/Berlin");
    for (const timeZone of ["Mars/Olympus", "+02:00", "", "Europe/Berlin; DROP", 3]) {
      const refused = await h.request("PATCH", "/api/v1/users/me", { token, json: { timeZone } });
      expectProblem(refused, 422, "validation_failed");
      expect(refused.body.errors[0].path).toBe("timeZone");
    }
    expectProblem(
      await h.request("POST", "/api/v1/auth/signup", {
        json: { email: uniqueEmail("zone"), password: PASSWORD, timeZone: "Nowhere/City" },
      }),
      422,
      "validation_failed",
    );
    expect((await h.request("GET", "/api/v1/users/me", { token })).body.timeZone).toBe(
      "Europe/Berlin",
    );
  });

  it("POST /users/me/password requires the current password and revokes the other sessions", async () => {
    const user = await h.user();
    const other = await h.request("POST", "/api/v1/auth/login", {
      json: { email: user.email, password: PASSWORD },
    });
    const wrong = await h.request("POST", "/api/v1/users/me/password", {
      token: user.token,
      json: { currentPassword: "not the password", newPassword: "a brand new password" },
    });
    expectProblem(wrong, 401, "invalid_credentials");
    expectProblem(
      await h.request("POST", "/api/v1/users/me/password", {
        token: user.token,
        json: { currentPassword: PASSWORD, newPassword: "short" },
      }),
      422,
      "validation_failed",
    );
    const changed = await h.request("POST", "/api/v1/users/me/password", {
      token: user.token,
      json: { currentPassword: PASSWORD, newPassword: "a brand new password" },
    });
    expect(changed.status).toBe(204);
    // The other session is revoked (refresh and access token); the one that changed the password keeps working.
    expectProblem(
      await h.request("POST", "/api/v1/auth/refresh", {
        json: { refreshToken: other.body.refreshToken },
      }),
      401,
      "unauthorized",
    );
    expectProblem(
      await h.request("GET", "/api/v1/tasks", { token: other.body.accessToken }),
      401,
      "unauthorized",
    );
    expect((await h.request("GET", "/api/v1/tasks", { token: user.token })).status).toBe(200);
    expect(
      (
        await h.request("POST", "/api/v1/auth/refresh", {
          json: { refreshToken: user.refreshToken },
        })
      ).status,
    ).toBe(200);
    // Only the new password logs in.
    expectProblem(
      await h.request("POST", "/api/v1/auth/login", {
        json: { email: user.email, password: PASSWORD },
      }),
      401,
      "invalid_credentials",
    );
    expect(
      (
        await h.request("POST", "/api/v1/auth/login", {
          json: { email: user.email, password: "a brand new password" },
        })
      ).status,
    ).toBe(200);
  });

  it("DELETE removes the account and its tasks; old tokens then get 401, never 500", async () => {
    const user = await h.user();
    await h.task(user, { title: "doomed" });
    const survivor = await h.user();
    await h.task(survivor, { title: "survives" });
    const reply = await h.request("DELETE", "/api/v1/users/me", { token: user.token });
    expect(reply.status).toBe(204);
    expect(await h.api.db.tasks.ofOwner(user.id)).toHaveLength(0);
    for (const [method, path] of [
      ["GET", "/api/v1/users/me"],
      ["PATCH", "/api/v1/users/me"],
      ["DELETE", "/api/v1/users/me"],
      ["GET", "/api/v1/tasks"],
      ["POST", "/api/v1/tasks"],
      ["GET", "/api/v1/tasks/1"],
      ["PATCH", "/api/v1/tasks/1"],
      ["POST", "/api/v1/tasks/1/complete"],
    ] as const) {
      const after = await h.request(method, path, {
        token: user.token,
        json: method === "GET" || method === "DELETE" ? undefined : { title: "x" },
      });
      expect(after.status, `${method} ${path}`).toBe(401);
      expect(after.body.code).toBe("unauthorized");
    }
    expectProblem(
      await h.request("POST", "/api/v1/auth/refresh", {
        json: { refreshToken: user.refreshToken },
      }),
      401,
      "unauthorized",
    );
    expectProblem(
      await h.request("POST", "/api/v1/auth/login", {
        json: { email: user.email, password: PASSWORD },
      }),
      401,
      "invalid_credentials",
    );
    // The same email can sign up again, starting from task 1.
    const again = await h.user(user.email);
    expect((await h.task(again)).id).toBe(1);
    expect(
      (await h.request("GET", "/api/v1/tasks", { token: survivor.token })).body.data.map(
        (t: { title: string }) => t.title,
      ),
    ).toEqual(["survives"]);
  });
});
