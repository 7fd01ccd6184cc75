import { createHash } from "node:crypto";
import type { Config } from "@todo/config";
import { isUniqueViolation, type Database } from "@todo/db";
import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from "jose";
import { DomainError } from "../errors.js";
import type { ExternalTokenVerifier } from "./auth-service.js";

/** The signature algorithms accepted from an identity provider (RFC 8725 §3.1 allowlist). */
export const EXTERNAL_ALGORITHMS = ["EdDSA", "ES256", "RS256"] as const;

/** What {@link JwksTokenVerifier} needs: the database and the provider from `config.externalAuth`. */
export interface JwksTokenVerifierDeps {
  readonly db: Database;
  readonly provider: NonNullable<Config["externalAuth"]>;
}

/**
 * Accepts access tokens of an external identity provider (Better Auth's JWT plugin, Auth0, …):
 * JWTs signed with a key from the provider's JWKS (`AUTH_JWKS_URL`, fetched and cached by jose's
 * `createRemoteJWKSet`, refetched when an unknown `kid` appears), algorithm EdDSA, ES256 or
 * RS256, with `iss` = `AUTH_ISSUER`, `aud` containing `AUTH_AUDIENCE`, a future `exp` and a `sub`.
 *
 * Each new `(iss, sub)` gets a local user (no password; `external_issuer`/`external_subject`),
 * race-safe through the unique index. Its email is the token's `email` claim when present, not
 * marked unverified, and not already registered; otherwise a placeholder
 * `<sub>@<issuer host>.external` (`sub` hashed when it is not email-safe). An external identity is
 * never linked to an existing local account by email: that would let whoever controls the
 * provider take over local accounts.
 */
export class JwksTokenVerifier implements ExternalTokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly deps: JwksTokenVerifierDeps) {
    this.jwks = createRemoteJWKSet(new URL(deps.provider.jwksUrl), {
      timeoutDuration: 5000,
      cooldownDuration: 30_000,
    });
  }

  /**
   * Returns the local user id for a valid provider token, provisioning the user on first sight,
   * or `undefined` when the token is not a valid token of the provider.
   * @throws {DomainError} `token_expired` (401) for an expired provider token; `unavailable` (503)
   *   when the JWKS cannot be fetched.
   */
  async verify(token: string): Promise<string | undefined> {
    if (!this.looksLikeProviderToken(token)) return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        algorithms: [...EXTERNAL_ALGORITHMS],
        issuer: this.deps.provider.issuer,
        audience: this.deps.provider.audience,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new DomainError(
          "token_expired",
          "The access token has expired. Get a new one from your identity provider.",
          { token: "expired" },
        );
      }
      if (error instanceof joseErrors.JWKSTimeout || isFetchFailure(error)) {
        throw new DomainError(
          "unavailable",
          "The identity provider's signing keys could not be fetched. Try again shortly.",
        );
      }
      return undefined;
    }
    const subject = payload.sub;
    if (typeof subject !== "string" || subject === "") return undefined;
    return this.provision(this.deps.provider.issuer, subject, payload);
  }

  /** Cheap pre-check (no signature, no network): only tokens naming the provider's issuer go on. */
  private looksLikeProviderToken(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.deps.provider.issuer;
    } catch {
      return false;
    }
  }

  /** The local user of `(issuer, subject)`, created on first sight. */
  private async provision(issuer: string, subject: string, claims: JWTPayload): Promise<string> {
    const { users } = this.deps.db;
    const find = async () => (await users.findByExternalIdentity(issuer, subject))?.id;
    const found = await find();
    if (found) return found;
    const name =
      typeof claims.name === "string" && claims.name.trim()
        ? claims.name.trim().slice(0, 100)
        : null;
    for (const email of [claimedEmail(claims), placeholderEmail(issuer, subject)]) {
      if (!email) continue;
      try {
        const user = await users.insert({
          email,
          name,
          passwordHash: null,
          externalIssuer: issuer,
          externalSubject: subject,
        });
        return user.id;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Either a concurrent request provisioned this identity, or the email is taken.
        const raced = await find();
        if (raced) return raced;
      }
    }
    throw new DomainError(
      "email_taken",
      "No local account could be created for this identity; contact support.",
    );
  }
}

/** The `email` claim, trimmed and lower-cased, unless the provider says it is unverified. */
function claimedEmail(claims: JWTPayload): string | undefined {
  if (claims.email_verified === false || claims.emailVerified === false) return undefined;
  if (typeof claims.email !== "string") return undefined;
  const email = claims.email.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 254 ? email : undefined;
}

/** `<sub>@<issuer host>.external`, with a hashed `sub` when it is not a safe local part. */
function placeholderEmail(issuer: string, subject: string): string {
  let host: string;
  try {
    host = new URL(issuer).hostname || "provider";
  } catch {
    host = issuer.toLowerCase().replace(/[^a-z0-9.-]/g, "-") || "provider";
  }
  const local = /^[a-z0-9._-]{1,64}$/.test(subject)
    ? subject
    : createHash("sha256").update(subject).digest("hex").slice(0, 32);
  return `${local}@${host.toLowerCase()}.external`;
}

/** Network errors and non-200 answers while fetching the JWKS. */
function isFetchFailure(error: unknown): boolean {
  if (error instanceof TypeError) return /fetch/i.test(error.message);
  return (
    error instanceof joseErrors.JOSEError && /JSON Web Key Set HTTP response/i.test(error.message)
  );
}
