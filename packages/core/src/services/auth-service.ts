import { createHash, randomBytes, randomUUID, webcrypto } from "node:crypto";
import argon2 from "argon2";
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { Config } from "@todo/config";
import { isUniqueViolation, type Database, type Tables, type UserRow } from "@todo/db";
import type {
  AuthSession,
  LoginRequest,
  PasswordChange,
  SignupRequest,
  User,
} from "@todo/contract";
import { DomainError, unauthorized } from "../errors.js";
import { announceRevocation, type SessionCache } from "./session-cache.js";

/** The caller of a service method: every task and profile operation is scoped to `userId`. */
export interface Actor {
  readonly userId: string;
  /** The refresh-token family (session) the access token was issued for; absent for external tokens. */
  readonly sessionId?: string | undefined;
}

/**
 * argon2id at OWASP's Password Storage Cheat Sheet minimum: m = 19 MiB, t = 2, p = 1.
 * `memoryCost` is in KiB.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;

const INVALID_CREDENTIALS = "The email or password is incorrect.";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Accepts an external identity provider's access tokens (DESIGN §3); see `external-auth.ts`. */
export interface ExternalTokenVerifier {
  /** Returns the local user id for a provider token, or `undefined` when it is not the provider's. */
  verify(token: string): Promise<string | undefined>;
}

/** What {@link AuthService} needs: the database and the JWT settings from config. */
export interface AuthServiceDeps {
  readonly db: Database;
  readonly jwt: Config["jwt"];
  readonly external?: ExternalTokenVerifier | undefined;
  /** Live sessions remembered between requests; without one, every request looks its session up. */
  readonly sessions?: SessionCache | undefined;
}

/** Maps a user row to the public {@link User} shape. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    timeZone: row.timeZone,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Accounts and sessions: signup and login with argon2id, HS256 access tokens (RFC 7519, RFC 8725
 * algorithm allowlist), and opaque refresh tokens stored as SHA-256 hashes, rotated on every use,
 * where reuse of a rotated token revokes its whole family (OAuth 2.0 Security BCP §4.14).
 */
export class AuthService {
  /** The HS256 key, imported once: jose re-imports raw bytes on every call (~0.1 ms each). */
  private readonly key: Promise<webcrypto.CryptoKey>;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: AuthServiceDeps) {
    this.key = webcrypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(deps.jwt.secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  /**
   * Creates an account and logs it in.
   * @throws {DomainError} `email_taken` (409) when the email is registered.
   */
  async signup(input: SignupRequest): Promise<AuthSession> {
    const passwordHash = await argon2.hash(input.password, ARGON2_OPTIONS);
    try {
      // One transaction: an account is never left without the session its sign-up answered with.
      const { user, refreshToken, familyId } = await this.deps.db.transaction(async (tx) => {
        const created = await tx.users.insert({
          email: input.email,
          name: input.name ?? null,
          passwordHash,
          timeZone: input.timeZone,
        });
        return { user: created, ...(await this.startSession(tx, created.id)) };
      });
      return await this.session(user, refreshToken, familyId);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(
          "email_taken",
          "An account with this email already exists. Log in instead.",
        );
      }
      throw error;
    }
  }

  /**
   * Logs in with email and password. An unknown email and a wrong password answer alike and take
   * about the same time (a dummy hash is verified), so accounts cannot be enumerated.
   * @throws {DomainError} `invalid_credentials` (401).
   */
  async login(input: LoginRequest): Promise<AuthSession> {
    const user = await this.deps.db.users.findByEmail(input.email);
    const hash = user?.passwordHash ?? (await this.getDummyHash());
    const matches = await argon2.verify(hash, input.password).catch(() => false);
    if (!user?.passwordHash || !matches) {
      throw new DomainError("invalid_credentials", INVALID_CREDENTIALS);
    }
    const { refreshToken, familyId } = await this.startSession(this.deps.db, user.id);
    return this.session(user, refreshToken, familyId);
  }

  /**
   * Exchanges a refresh token for a new pair; the old token stops working. Presenting an already
   * rotated token revokes every token of its family (the session) and fails.
   * @throws {DomainError} `unauthorized` (401) for an unknown, expired, revoked or reused token.
   */
  async refresh(refreshToken: string): Promise<AuthSession> {
    const outcome = await this.deps.db.transaction(async (tx) => {
      // Locked, so that two concurrent uses of one token cannot both rotate it.
      const current = await tx.refreshTokens.findByHash(hashToken(refreshToken), { lock: true });
      if (!current) return { kind: "invalid" as const };
      if (current.revokedAt) {
        if (!current.replacedBy) return { kind: "invalid" as const };
        await tx.refreshTokens.revokeFamily(current.familyId);
        await announceRevocation(tx, current.userId, current.familyId);
        return { kind: "reused" as const, userId: current.userId, familyId: current.familyId };
      }
      if (current.expiresAt.getTime() <= Date.now()) return { kind: "invalid" as const };
      const user = await tx.users.findById(current.userId);
      if (!user) return { kind: "invalid" as const };
      const next = await this.issueRefreshToken(tx, user.id, current.familyId);
      await tx.refreshTokens.markReplaced(current.id, next.id);
      return { kind: "ok" as const, user, refreshToken: next.token, familyId: current.familyId };
    });
    if (outcome.kind === "reused") {
      this.deps.sessions?.forget(outcome.userId, outcome.familyId);
      throw unauthorized(
        "This refresh token was already used, so the session has been revoked. Log in again.",
      );
    }
    if (outcome.kind === "invalid") {
      throw unauthorized("The refresh token is invalid or expired. Log in again.");
    }
    return this.session(outcome.user, outcome.refreshToken, outcome.familyId);
  }

  /** Revokes the session (token family) a refresh token belongs to. Unknown tokens are ignored. */
  async logout(refreshToken: string): Promise<void> {
    const revoked = await this.deps.db.transaction(async (tx) => {
      const token = await tx.refreshTokens.findByHash(hashToken(refreshToken));
      if (!token) return undefined;
      await tx.refreshTokens.revokeFamily(token.familyId);
      await announceRevocation(tx, token.userId, token.familyId);
      return token;
    });
    // This process at once; the others when the notification reaches them.
    if (revoked) this.deps.sessions?.forget(revoked.userId, revoked.familyId);
  }

  /**
   * Changes the password after checking the current one, and revokes every other session of the
   * user (all but the one `actor.sessionId` names).
   * @throws {DomainError} `invalid_credentials` (401) when `currentPassword` is wrong.
   */
  async changePassword(actor: Actor, input: PasswordChange): Promise<void> {
    const user = await this.deps.db.users.findById(actor.userId);
    if (!user) throw unauthorized("This account no longer exists.", "invalid");
    const matches = user.passwordHash
      ? await argon2.verify(user.passwordHash, input.currentPassword).catch(() => false)
      : false;
    if (!matches)
      throw new DomainError("invalid_credentials", "The current password is incorrect.");
    const passwordHash = await argon2.hash(input.newPassword, ARGON2_OPTIONS);
    await this.deps.db.transaction(async (tx) => {
      await tx.users.updatePasswordHash(user.id, passwordHash);
      await tx.refreshTokens.revokeAllOf(user.id, actor.sessionId);
      await announceRevocation(tx, user.id);
    });
    this.deps.sessions?.forget(user.id);
  }

  /**
   * Verifies an access token and returns the acting user: this service's HS256 tokens (algorithm
   * allowlist, required `exp`, `iss`, `aud` per RFC 8725) whose account and session are still
   * live, else the external provider's, if set.
   * @throws {DomainError} `token_expired` (401) or `unauthorized` (401).
   */
  async authenticate(accessToken: string): Promise<Actor> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(accessToken, await this.key, {
        algorithms: ["HS256"],
        issuer: this.deps.jwt.issuer,
        audience: this.deps.jwt.audience,
        requiredClaims: ["exp", "iat", "sub"],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new DomainError(
          "token_expired",
          "The access token has expired. Refresh it or log in again.",
          { token: "expired" },
        );
      }
      const external = this.deps.external
        ? await this.deps.external.verify(accessToken)
        : undefined;
      if (external) return { userId: external };
      throw unauthorized("The access token is invalid. Log in again.", "invalid");
    }
    const sessionId = typeof payload.sid === "string" ? payload.sid : undefined;
    if (typeof payload.sub !== "string" || !(await this.sessionActive(payload.sub, sessionId))) {
      throw unauthorized(
        "This session has ended (logged out, password changed or account deleted). Log in again.",
        "invalid",
      );
    }
    return { userId: payload.sub, sessionId };
  }

  /**
   * True while the account exists and, for a token naming its session (`sid`), that session still
   * has a live refresh token. So a validly signed access token stops working at once when its
   * account is deleted, its session logged out or revoked by a password change or token reuse,
   * rather than 15 minutes later. From the {@link SessionCache} when there is one (no query for a
   * session seen live, while revocations are heard), else one primary-key lookup plus one indexed
   * EXISTS.
   */
  private async sessionActive(userId: string, sessionId: string | undefined): Promise<boolean> {
    if (!UUID.test(userId) || (sessionId !== undefined && !UUID.test(sessionId))) return false;
    return this.deps.sessions
      ? this.deps.sessions.isLive(userId, sessionId)
      : this.deps.db.refreshTokens.sessionLive(userId, sessionId);
  }

  /** Starts a new session (refresh-token family) for `userId`. */
  private async startSession(
    tables: Tables,
    userId: string,
  ): Promise<{ refreshToken: string; familyId: string }> {
    const familyId = randomUUID();
    const { token } = await this.issueRefreshToken(tables, userId, familyId);
    return { refreshToken: token, familyId };
  }

  /** Signs the access token; `sid` names the session (refresh-token family) it belongs to. */
  private async session(
    user: UserRow,
    refreshToken: string,
    familyId: string,
  ): Promise<AuthSession> {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({ sid: familyId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(user.id)
      .setIssuer(this.deps.jwt.issuer)
      .setAudience(this.deps.jwt.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.deps.jwt.accessTokenTtl)
      .sign(await this.key);
    return {
      user: toUser(user),
      accessToken,
      refreshToken,
      tokenType: "Bearer",
      expiresIn: this.deps.jwt.accessTokenTtl,
    };
  }

  private async issueRefreshToken(
    tables: Tables,
    userId: string,
    familyId: string,
  ): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString("base64url");
    const id = await tables.refreshTokens.insert({
      userId,
      familyId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + this.deps.jwt.refreshTokenTtl * 1000),
    });
    return { id, token };
  }

  private getDummyHash(): Promise<string> {
    return (this.dummyHash ??= argon2.hash(randomBytes(16).toString("hex"), ARGON2_OPTIONS));
  }
}

/** SHA-256 of an opaque token, hex: what the database keeps instead of the token. */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
