import { createHash } from "node:crypto";
import type { Config } from "@todo/config";
import { isUniqueViolation, type Database } from "@todo/db";
import {
  createLocalJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
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
 * JWTs signed with a key from the provider's JWKS (`AUTH_JWKS_URL`, kept by {@link ProviderKeys},
 * fetched again at once when a token names a key it does not have), algorithm EdDSA, ES256 or
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
  private readonly keys: ProviderKeys;

  constructor(private readonly deps: JwksTokenVerifierDeps) {
    this.keys = new ProviderKeys(new URL(deps.provider.jwksUrl));
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
      ({ payload } = await jwtVerify(token, this.keys.getKey, {
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
      if (error instanceof KeysUnavailable) {
        throw new DomainError(
          "unavailable",
          "The identity provider's signing keys could not be fetched. Try again shortly.",
          { retryAfterSeconds: KEYS_RETRY_AFTER_SECONDS },
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

/** Seconds a client should wait after a 503 for unreachable provider keys. */
const KEYS_RETRY_AFTER_SECONDS = 5;

/** How long fetched keys are used before they are fetched again: 10 minutes, in milliseconds. */
const KEYS_MAX_AGE_MS = 10 * 60 * 1000;

/** How long one JWKS fetch may take, in milliseconds. */
const KEYS_FETCH_TIMEOUT_MS = 5000;

/** The provider's JWKS could not be fetched or read (network, non-200, not a JWK Set). */
class KeysUnavailable extends Error {
  override name = "KeysUnavailable";
}

/** One fetch of the JWKS: its number (1, 2, …) and its outcome. */
interface KeysFetch {
  readonly number: number;
  readonly done: Promise<void>;
}

/**
 * An identity provider's signing keys (a JWK Set, RFC 7517 §5) from `url`, for jose's
 * `jwtVerify`. Keys are kept {@link KEYS_MAX_AGE_MS}; a token naming a key that is not in hand
 * (a key rotation, or a forged `kid`) makes them be fetched again at once: no cool-down, so a
 * token signed with a freshly rotated key is accepted on first sight.
 *
 * Fetches are single-flight: at most one runs at a time. A token that needs fresh keys waits for
 * the first fetch that started after it arrived (joining one that runs, or starting the next when
 * the running one started earlier and may predate a rotation). So a flood of unknown `kid`s costs
 * the provider one fetch at a time, and cannot make a real rotation fail: every waiting token is
 * checked against keys fetched after it arrived. While the provider cannot be reached, tokens
 * whose key is in hand keep working (stale keys are kept until a fetch succeeds).
 */
export class ProviderKeys {
  private keySet: JWTVerifyGetKey | undefined;
  private fetchedAt = 0;
  /** How many fetches have started. */
  private started = 0;
  /** The number of the fetch whose keys are in hand (0: none yet). */
  private current = 0;
  private running: KeysFetch | undefined;

  constructor(
    private readonly url: URL,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * jose's key lookup: the key for the token's header, fetching the set when needed.
   * @throws {KeysUnavailable} when the set is needed and cannot be fetched; jose's
   *   `JWKSNoMatchingKey` when keys fetched after the token arrived have none for it.
   */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const arrivedAfter = this.started;
    if (!this.keySet) await this.fetchedSince(arrivedAfter);
    else if (this.now() - this.fetchedAt > KEYS_MAX_AGE_MS)
      await this.fetchedSince(arrivedAfter).catch(() => undefined); // stale beats none
    try {
      return await this.lookUp(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey) || this.current > arrivedAfter)
        throw error;
    }
    await this.fetchedSince(arrivedAfter);
    return this.lookUp(header, token);
  };

  private lookUp: JWTVerifyGetKey = (header, token) => {
    if (!this.keySet) throw new KeysUnavailable("no keys");
    return this.keySet(header, token);
  };

  /** Resolves once keys from a fetch numbered above `number` are in hand. */
  private async fetchedSince(number: number): Promise<void> {
    for (;;) {
      if (this.current > number) return;
      const running = this.running ?? this.fetch();
      if (running.number > number) return running.done;
      await running.done.catch(() => undefined); // it predates the caller: wait, then the next one
    }
  }

  private fetch(): KeysFetch {
    const number = ++this.started;
    const done = this.download().then((keySet) => {
      this.keySet = keySet;
      this.fetchedAt = this.now();
      this.current = number;
    });
    const running = { number, done };
    this.running = running;
    const finished = () => {
      if (this.running === running) this.running = undefined;
    };
    done.then(finished, finished);
    return running;
  }

  private async download(): Promise<JWTVerifyGetKey> {
    let body: unknown;
    try {
      const response = await fetch(this.url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(KEYS_FETCH_TIMEOUT_MS),
      });
      if (!response.ok) throw new KeysUnavailable(`JWKS answered ${response.status}`);
      body = await response.json();
      return createLocalJWKSet(body as JSONWebKeySet);
    } catch (error) {
      if (error instanceof KeysUnavailable) throw error;
      throw new KeysUnavailable(`JWKS fetch failed: ${String(error)}`, { cause: error });
    }
  }
}
