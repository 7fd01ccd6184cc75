// AuthService on a real database: sessions as refresh-token families, rotation, reuse detection,
// logout and password changes (OAuth 2.0 Security BCP §4.14), and what they do to access tokens.
import { randomBytes } from "node:crypto";
import { testConfig } from "@todo/config";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import type { AuthSession } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainError } from "../errors.js";
import { failure } from "../testing.js";
import { AuthService } from "./auth-service.js";
import { UserService } from "./user-service.js";

const PASSWORD = "correct horse battery staple";
let db: TestDatabase;
let auth: AuthService;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  auth = new AuthService({
    db,
    jwt: testConfig({ JWT_SECRET: randomBytes(32).toString("hex") }).jwt,
  });
});
afterAll(() => db.close());

const email = () => `auth${++counter}@example.com`;

/** Whether an access token still authenticates (its account and session are live). */
const works = (session: AuthSession) =>
  auth.authenticate(session.accessToken).then(
    () => true,
    (error: unknown) => {
      expect((error as DomainError).code).toBe("unauthorized");
      return false;
    },
  );

describe("sign-up and log-in", () => {
  it("signs up, logs in, and refuses a taken email and wrong credentials alike", async () => {
    const address = email();
    const signup = await auth.signup({ email: address, password: PASSWORD, name: "Ada" });
    expect(signup.user).toMatchObject({ email: address, name: "Ada" });
    expect(await auth.authenticate(signup.accessToken)).toEqual({
      userId: signup.user.id,
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const taken = await failure(auth.signup({ email: address, password: PASSWORD }));
    expect(taken.code).toBe("email_taken");

    const login = await auth.login({ email: address, password: PASSWORD });
    expect(login.user.id).toBe(signup.user.id);
    const wrongPassword = await failure(auth.login({ email: address, password: "wrong password" }));
    const unknownEmail = await failure(auth.login({ email: email(), password: PASSWORD }));
    expect(wrongPassword.code).toBe("invalid_credentials");
    expect(unknownEmail.detail).toBe(wrongPassword.detail);
  });
});

describe("refresh-token rotation", () => {
  it("rotates on every use; a reused token revokes its whole session, and only that one", async () => {
    const address = email();
    const first = await auth.signup({ email: address, password: PASSWORD });
    const other = await auth.login({ email: address, password: PASSWORD });

    const second = await auth.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await works(second)).toBe(true);
    const third = await auth.refresh(second.refreshToken);

    // The rotated token comes back (stolen, or replayed): the session ends for everyone holding it.
    const reused = await failure(auth.refresh(first.refreshToken));
    expect(reused.code).toBe("unauthorized");
    expect(reused.detail).toMatch(/already used/);
    expect((await failure(auth.refresh(third.refreshToken))).code).toBe("unauthorized");
    expect(await works(third)).toBe(false);
    expect(await works(first)).toBe(false);
    // The user's other session is untouched.
    expect(await works(other)).toBe(true);
    expect(await auth.refresh(other.refreshToken)).toMatchObject({ user: { email: address } });
  });

  it("lets exactly one of two concurrent uses of one token rotate it", async () => {
    const session = await auth.signup({ email: email(), password: PASSWORD });
    const outcomes = await Promise.allSettled([
      auth.refresh(session.refreshToken),
      auth.refresh(session.refreshToken),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses unknown and expired refresh tokens", async () => {
    expect((await failure(auth.refresh("no-such-token"))).code).toBe("unauthorized");
    const expiring = new AuthService({
      db,
      jwt: { ...testConfig().jwt, refreshTokenTtl: 0 },
    });
    const session = await expiring.signup({ email: email(), password: PASSWORD });
    const expired = await failure(expiring.refresh(session.refreshToken));
    expect(expired.detail).toMatch(/invalid or expired/);
  });
});

describe("ending sessions", () => {
  it("logout ends that session's refresh and access tokens, not the user's others", async () => {
    const address = email();
    const phone = await auth.signup({ email: address, password: PASSWORD });
    const laptop = await auth.login({ email: address, password: PASSWORD });
    const rotated = await auth.refresh(phone.refreshToken);
    await auth.logout(rotated.refreshToken);
    expect(await works(phone)).toBe(false);
    expect((await failure(auth.refresh(rotated.refreshToken))).code).toBe("unauthorized");
    expect(await works(laptop)).toBe(true);
    await auth.logout("no-such-token"); // ignored
  });

  it("a password change keeps the current session and ends every other", async () => {
    const address = email();
    const current = await auth.signup({ email: address, password: PASSWORD });
    const elsewhere = await auth.login({ email: address, password: PASSWORD });
    const actor = await auth.authenticate(current.accessToken);
    const wrong = await failure(
      auth.changePassword(actor, { currentPassword: "not it at all", newPassword: "another one!" }),
    );
    expect(wrong.code).toBe("invalid_credentials");
    expect(await works(elsewhere)).toBe(true);

    await auth.changePassword(actor, { currentPassword: PASSWORD, newPassword: "another one!" });
    expect(await works(current)).toBe(true);
    expect(await works(elsewhere)).toBe(false);
    expect((await failure(auth.refresh(elsewhere.refreshToken))).code).toBe("unauthorized");
    expect((await failure(auth.login({ email: address, password: PASSWORD }))).code).toBe(
      "invalid_credentials",
    );
    expect(await auth.login({ email: address, password: "another one!" })).toBeDefined();
  });

  it("deleting the account ends every token at once", async () => {
    const session = await auth.signup({ email: email(), password: PASSWORD });
    const actor = await auth.authenticate(session.accessToken);
    await new UserService(db).delete(actor);
    expect(await works(session)).toBe(false);
    expect((await failure(auth.refresh(session.refreshToken))).code).toBe("unauthorized");
  });
});
