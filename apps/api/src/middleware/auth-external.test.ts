import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signup, startTestApi, type TestApi } from "../testing/index.js";

const ISSUER = "https://idp.example.com";
const AUDIENCE = "todo-external";
const ALGORITHMS = ["EdDSA", "ES256", "RS256"] as const;
type Algorithm = (typeof ALGORITHMS)[number];

let jwksServer: Server;
let jwksRequests = 0;
let api: TestApi;
const keys = new Map<Algorithm, CryptoKey>();
let strangerKey: CryptoKey;

beforeAll(async () => {
  const published: JWK[] = [];
  for (const alg of ALGORITHMS) {
    const pair = await generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519" } : {});
    keys.set(alg, pair.privateKey);
    published.push({ ...(await exportJWK(pair.publicKey)), kid: `key-${alg}`, alg, use: "sig" });
  }
  strangerKey = (await generateKeyPair("ES256")).privateKey;
  // The provider's JWKS endpoint, as Better Auth or Auth0 would serve it.
  jwksServer = createServer((request, response) => {
    jwksRequests++;
    if (request.url !== "/.well-known/jwks.json") {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  const { port } = jwksServer.address() as AddressInfo;
  api = await startTestApi({
    AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  });
});

afterAll(async () => {
  await api.close();
  jwksServer.closeAllConnections();
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
});

interface TokenOptions {
  alg?: Algorithm;
  key?: CryptoKey;
  kid?: string;
  issuer?: string;
  audience?: string;
  subject?: string | undefined;
  expiresAt?: number;
  claims?: Record<string, unknown>;
}

/** A provider token: signed with the provider's key for `alg` unless told otherwise. */
async function providerToken(options: TokenOptions = {}): Promise<string> {
  const alg = options.alg ?? "EdDSA";
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg, kid: options.kid ?? `key-${alg}`, typ: "JWT" })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(options.expiresAt ?? now + 300);
  if (!("subject" in options)) jwt.setSubject("provider-user-1");
  else if (options.subject !== undefined) jwt.setSubject(options.subject);
  return jwt.sign(options.key ?? keys.get(alg)!);
}

function call(method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${api.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function me(token: string): Promise<{
  status: number;
  body: { id: string; email: string; name: string | null; code?: string };
}> {
  const response = await call("GET", "/users/me", token);
  return { status: response.status, body: (await response.json()) as never };
}

describe("external identity provider tokens", () => {
  it.each(ALGORITHMS)(
    "accepts a %s token signed with a JWKS key and provisions a local user",
    async (alg) => {
      const token = await providerToken({
        alg,
        subject: `sub-${alg}`,
        claims: { email: `${alg.toLowerCase()}@corp.example`, name: "Ext User" },
      });
      const reply = await me(token);
      expect(reply.status).toBe(200);
      expect(reply.body.email).toBe(`${alg.toLowerCase()}@corp.example`);
      expect(reply.body.name).toBe("Ext User");
    },
  );

  it("maps the same (iss, sub) to the same user every time, and that user owns its tasks", async () => {
    const first = await providerToken({ subject: "repeat" });
    const second = await providerToken({ alg: "RS256", subject: "repeat" });
    const a = await me(first);
    const b = await me(second);
    expect(a.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);

    const created = await call("POST", "/tasks", first, { title: "from the provider" });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: number };
    expect((await call("GET", `/tasks/${task.id}`, second)).status).toBe(200);

    // A local user cannot see it: 404, exactly like a missing task.
    const { token: localToken } = await signup(api.url, { email: "local@example.com" });
    expect((await call("GET", `/tasks/${task.id}`, localToken)).status).toBe(404);
    // And the service's own tokens keep working beside the provider's.
    expect((await me(localToken)).status).toBe(200);
  });

  it("provisions one user for concurrent first requests of a new identity", async () => {
    const token = await providerToken({
      subject: "racer",
      claims: { email: "racer@corp.example" },
    });
    const replies = await Promise.all(Array.from({ length: 6 }, () => me(token)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(6).fill(200));
    expect(new Set(replies.map((reply) => reply.body.id)).size).toBe(1);
  });

  it("gives a placeholder email when the claimed one is taken, unverified or absent (never links accounts)", async () => {
    await signup(api.url, { email: "taken@example.com" });
    const taken = await me(
      await providerToken({ subject: "someone", claims: { email: "taken@example.com" } }),
    );
    expect(taken.status).toBe(200);
    expect(taken.body.email).toBe("someone@idp.example.com.external");

    const unverified = await me(
      await providerToken({
        subject: "unverified",
        claims: { email: "u@corp.example", email_verified: false },
      }),
    );
    expect(unverified.body.email).toBe("unverified@idp.example.com.external");

    const odd = await me(await providerToken({ subject: "auth0|ABC def" }));
    expect(odd.status).toBe(200);
    expect(odd.body.email).toMatch(/^[0-9a-f]{32}@idp\.example\.com\.external$/);
  });

  it.each<[string, () => Promise<string>]>([
    ["another issuer", () => providerToken({ issuer: "https://evil.example.com" })],
    ["another audience", () => providerToken({ audience: "someone-else" })],
    [
      "a key not in the JWKS",
      () => providerToken({ alg: "ES256", key: strangerKey, kid: "key-unknown" }),
    ],
    [
      "a key not in the JWKS under a known kid",
      () => providerToken({ alg: "ES256", key: strangerKey }),
    ],
    ["no subject", () => providerToken({ subject: undefined })],
    [
      "an algorithm outside the allowlist (HS256 with the issuer)",
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setSubject("x")
          .setExpirationTime("5m")
          .sign(new TextEncoder().encode("a-secret-the-attacker-picked-32-bytes!")),
    ],
  ])("refuses a token with %s: 401 unauthorized", async (_, make) => {
    const reply = await me(await make());
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe("unauthorized");
  });

  it("refuses an expired provider token with 401 token_expired", async () => {
    const reply = await me(await providerToken({ expiresAt: Math.floor(Date.now() / 1000) - 120 }));
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe("token_expired");
  });

  it("caches the JWKS instead of fetching it per request", async () => {
    const token = await providerToken({ subject: "cached" });
    expect((await me(token)).status).toBe(200);
    const before = jwksRequests;
    for (let index = 0; index < 5; index++) expect((await me(token)).status).toBe(200);
    expect(jwksRequests).toBe(before);
  });
});

describe("an unreachable identity provider", () => {
  it("answers 503 unavailable (not 401, not 500) for its tokens while own tokens keep working", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const down = await startTestApi({
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
    try {
      const reply = await fetch(`${down.url}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${await providerToken()}` },
      });
      expect(reply.status).toBe(503);
      expect(((await reply.json()) as { code: string }).code).toBe("unavailable");
      const { token } = await signup(down.url, { email: "own@example.com" });
      expect(
        (
          await fetch(`${down.url}/api/v1/users/me`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
      ).toBe(200);
    } finally {
      await down.close();
    }
  });
});

describe("key rotation at the provider", () => {
  /** A provider's JWKS endpoint whose keys, answers and timing the test controls. */
  const provider = {
    keys: [] as JWK[],
    status: 200,
    fetches: 0,
    running: 0,
    mostAtOnce: 0,
    /** While set, answers wait for it. */
    gate: undefined as Promise<void> | undefined,
    onFetch: undefined as (() => void) | undefined,
  };
  const signers = new Map<string, CryptoKey>();
  let server: Server;
  let rotating: TestApi;

  /** Creates a key pair, publishes its public key under `kid` unless told not to, keeps the private one. */
  async function newKey(kid: string, publish = true): Promise<void> {
    const pair = await generateKeyPair("ES256");
    signers.set(kid, pair.privateKey);
    if (publish)
      provider.keys.push({ ...(await exportJWK(pair.publicKey)), kid, alg: "ES256", use: "sig" });
  }

  /** A valid provider token signed with the key `kid`. */
  const tokenFor = (kid: string, key = signers.get(kid)) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`rotating-${kid}`)
      .setExpirationTime("5m")
      .sign(key!);

  const whoAmI = (token: string) =>
    fetch(`${rotating.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    await newKey("k1");
    server = createServer((_request, response) => {
      provider.fetches++;
      provider.running++;
      provider.mostAtOnce = Math.max(provider.mostAtOnce, provider.running);
      provider.onFetch?.();
      void (provider.gate ?? Promise.resolve()).then(() => {
        provider.running--;
        response
          .writeHead(provider.status, { "content-type": "application/json" })
          .end(JSON.stringify({ keys: provider.keys }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    rotating = await startTestApi({
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
  });
  afterAll(async () => {
    await rotating.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("accepts a token signed with a key published a moment ago, right after the last fetch", async () => {
    expect((await whoAmI(await tokenFor("k1"))).status).toBe(200);
    const before = provider.fetches;
    await newKey("k2");
    expect((await whoAmI(await tokenFor("k2"))).status).toBe(200);
    expect(provider.fetches).toBe(before + 1);
    // Known keys need no fetch.
    expect((await whoAmI(await tokenFor("k1"))).status).toBe(200);
    expect(provider.fetches).toBe(before + 1);
  });

  it("fetches one at a time under a flood of forged kids, and the flood cannot make a real rotation fail", async () => {
    const stranger = (await generateKeyPair("ES256")).privateKey;
    let release!: () => void;
    provider.gate = new Promise((resolve) => (release = resolve));
    const held = new Promise<void>((resolve) => (provider.onFetch = resolve));
    provider.mostAtOnce = 0;
    const flood = Promise.all(
      Array.from(
        { length: 40 },
        async (_, index) => (await whoAmI(await tokenFor(`forged-${index}`, stranger))).status,
      ),
    );
    // A fetch is under way and held (or, were there no refetch on unknown kids, the flood is over).
    await Promise.race([held, flood]);
    await newKey("k3"); // the provider rotates meanwhile
    const real = whoAmI(await tokenFor("k3")).then((response) => response.status);
    provider.onFetch = undefined;
    provider.gate = undefined;
    release();
    expect(await flood).toEqual(Array(40).fill(401));
    expect(await real).toBe(200);
    expect(provider.mostAtOnce).toBe(1);
  });

  it("answers 503 with Retry-After (never 401) for a key it cannot fetch while the provider is down; known keys keep working", async () => {
    provider.status = 503;
    try {
      await newKey("k4");
      const unknown = await whoAmI(await tokenFor("k4"));
      expect(unknown.status).toBe(503);
      expect(unknown.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await unknown.json()) as { code: string }).code).toBe("unavailable");
      expect((await whoAmI(await tokenFor("k1"))).status).toBe(200);
    } finally {
      provider.status = 200;
    }
    expect((await whoAmI(await tokenFor("k4"))).status).toBe(200);
  });
});
