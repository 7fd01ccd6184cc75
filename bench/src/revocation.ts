// Revocation across instances: a logout answered by API instance A, then requests to instance B
// with the logged-out session's access token until B refuses one. B had the session cached (it
// served the token just before), so only the notification can make it refuse.

/**
 * How long B kept serving a session after A answered its logout, in milliseconds: from A's 204 to
 * the moment the first request B refused was sent (B had already heard by then, so this bounds
 * the lag from above; 0 when the very first request was refused), and to that refusal's arrival
 * (which adds one request's round trip).
 */
export interface RevocationResult {
  readonly trials: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** From A's 204 to the arrival of B's 401: the lag plus one round trip. */
  readonly answeredP50Ms: number;
  readonly answeredP99Ms: number;
  /** Requests B answered 200 after A's 204, over all trials. */
  readonly acceptedAfterLogout: number;
  /** Trials where B's very first request after the 204 was already refused. */
  readonly refusedAtOnce: number;
  /** Trials where B still served the token after 10,000 requests (none expected). */
  readonly neverRefused: number;
}

/** Longest a trial polls B before it counts as never refused. */
const MAX_POLLS = 10_000;

/**
 * Runs `trials` logouts on `aUrl` (each after a fresh login of `email`) and measures how long
 * `bUrl` keeps serving the session. Trials run one at a time.
 * @throws {Error} when a login, the warm-up request or a logout does not answer as expected.
 */
export async function measureRevocation(options: {
  aUrl: string;
  bUrl: string;
  email: string;
  password: string;
  trials: number;
}): Promise<RevocationResult> {
  const times: number[] = [];
  const answered: number[] = [];
  let acceptedAfterLogout = 0;
  let refusedAtOnce = 0;
  let neverRefused = 0;
  for (let trial = 0; trial < options.trials; trial++) {
    const { accessToken, refreshToken } = await post<{
      accessToken: string;
      refreshToken: string;
    }>(
      `${options.aUrl}/api/v1/auth/login`,
      { email: options.email, password: options.password },
      200,
    );
    const onB = () => status(`${options.bUrl}/api/v1/users/me`, accessToken);
    // Twice: the first looks the session up and remembers it, the second is served from memory.
    for (let warm = 0; warm < 2; warm++) {
      const answer = await onB();
      if (answer !== 200) throw new Error(`instance B answered ${answer} to a live session`);
    }
    await post(`${options.aUrl}/api/v1/auth/logout`, { refreshToken }, 204);
    const loggedOut = performance.now();
    let polls = 0;
    let sent = loggedOut;
    for (; polls < MAX_POLLS; polls++) {
      sent = performance.now();
      if ((await onB()) !== 200) break;
    }
    if (polls === MAX_POLLS) {
      neverRefused++;
      continue;
    }
    times.push(polls === 0 ? 0 : sent - loggedOut);
    answered.push(performance.now() - loggedOut);
    acceptedAfterLogout += polls;
    if (polls === 0) refusedAtOnce++;
  }
  return {
    trials: options.trials,
    p50Ms: quantile(times, 0.5),
    p99Ms: quantile(times, 0.99),
    maxMs: quantile(times, 1),
    answeredP50Ms: quantile(answered, 0.5),
    answeredP99Ms: quantile(answered, 0.99),
    acceptedAfterLogout,
    refusedAtOnce,
    neverRefused,
  };
}

/** The `q` quantile of `values` (nearest rank), rounded to 0.01 ms; NaN when empty. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return value === undefined ? NaN : Math.round(value * 100) / 100;
}

async function status(url: string, token: string): Promise<number> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

async function post<T = unknown>(url: string, body: unknown, expected: number): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`POST ${url} answered ${response.status}, not ${expected}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
