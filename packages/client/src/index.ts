/**
 * A typed HTTP client for the todo API, over the zod contract. Database-free: usable from the CLI,
 * a browser or any TypeScript frontend (it needs only `fetch`).
 */
import type {
  AuthSession,
  PasswordChange,
  Problem,
  QuickAddParse,
  QuickAddRequest,
  QuickAddResult,
  SignupRequest,
  LoginRequest,
  Task,
  TaskCreate,
  TaskList,
  TaskListParams,
  TaskReplace,
  TaskUpdate,
  User,
  UserUpdate,
} from "@todo/contract";

/** The tokens of a logged-in session, as the client keeps them. */
export interface ClientSession {
  accessToken: string;
  refreshToken?: string | undefined;
}

/** One HTTP request as the client hands it to a {@link Transport}. */
export interface TransportRequest {
  method: string;
  url: URL;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** A JSON text, or none. */
  body: string | undefined;
  /** Aborts the request (the client's `timeoutMs`), when set. */
  signal: AbortSignal | undefined;
}

/** What a {@link Transport} returns: the status, the headers and the whole body as text. */
export interface TransportResponse {
  status: number;
  statusText: string;
  /** A response header by (case-insensitive) name, or `null`. */
  header(name: string): string | null;
  body: string;
}

/**
 * Sends one request and resolves with the response, whatever its status; rejects only when there
 * is no response (refused, reset, DNS, aborted). {@link fetchTransport} suits browsers and any
 * runtime with `fetch`; `nodeTransport` from `@todo/client/node` starts faster in Node.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A {@link Transport} over WHATWG `fetch` (browsers, Deno, Bun, Node). */
export function fetchTransport(doFetch: typeof fetch = globalThis.fetch): Transport {
  return async (request) => {
    const response = await doFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
    });
    return {
      status: response.status,
      statusText: response.statusText,
      header: (name) => response.headers.get(name),
      body: response.status === 204 ? "" : await response.text(),
    };
  };
}

/** Options for {@link createClient}. */
export interface ClientOptions {
  /** The API's origin, such as `http://127.0.0.1:3000` (the `/api/v1` prefix is added). */
  baseUrl: string;
  /** The current session; without one, only the auth endpoints work. */
  session?: ClientSession | undefined;
  /**
   * Called after the client silently refreshed an expired access token (once per request), so the
   * caller can store the new pair.
   */
  onSessionRefreshed?: ((session: AuthSession) => void | Promise<void>) | undefined;
  /**
   * Replaces the built-in refresh (`POST /auth/refresh` with the current refresh token) when the
   * access token has expired, and returns the session to retry with. For callers that share stored
   * tokens between processes (the CLI): reusing a rotated refresh token revokes the whole session
   * family, so concurrent refreshes must be serialized and the winner's tokens reused.
   * `onSessionRefreshed` is not called when this is set.
   */
  refreshSession?: ((stale: ClientSession) => Promise<ClientSession>) | undefined;
  /**
   * Aborts a request that has not been answered after this many milliseconds (it then rejects
   * with {@link NetworkError}). Unset (the default): no deadline, as curl; a deadline is the
   * caller's choice, since a busy server or machine can reach any fixed one.
   */
  timeoutMs?: number | undefined;
  /** Sent as `User-Agent` where the runtime allows it. */
  userAgent?: string;
  /** How requests are sent; default {@link fetchTransport} over `fetch`. */
  transport?: Transport;
  /** The `fetch` of the default transport; ignored when `transport` is given. */
  fetch?: typeof fetch;
}

/** Per-request options for writes: an `If-Match` version or an `Idempotency-Key`. */
export interface RequestOptions {
  /** The task version the write is based on; a stale one fails with 412 (RFC 9110 §13.1.1). */
  ifMatch?: number | undefined;
  /** Makes a POST safe to retry: the API replays the first response for the same key and body. */
  idempotencyKey?: string | undefined;
}

/**
 * The API answered with an RFC 9457 problem. Branch on `code` (the contract's `ErrorCode`), never
 * on the message text.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: Problem["code"];
  constructor(
    readonly problem: Problem,
    /** The `Retry-After` of a 429 or 409/503 answer, in seconds (RFC 9110 §10.2.3), if sent. */
    readonly retryAfterSeconds?: number | undefined,
  ) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
  }
}

/** The API could not be reached (connection refused or reset, DNS, timeout). */
export class NetworkError extends Error {
  constructor(
    readonly url: string,
    options: { cause: unknown },
  ) {
    super(`Could not reach the todo API at ${url}.`, options);
    this.name = "NetworkError";
  }
}

/** The typed client returned by {@link createClient}. */
export type TodoClient = ReturnType<typeof createClient>;

/**
 * Creates a client. Every method resolves with the contract's shape or rejects with
 * {@link ApiError} (an HTTP error) or {@link NetworkError} (no answer).
 */
export function createClient(options: ClientOptions) {
  const transport = options.transport ?? fetchTransport(options.fetch);
  const root = `${options.baseUrl.replace(/\/+$/, "")}`;
  let session = options.session;

  async function send<T>(
    method: string,
    path: string,
    body?: unknown,
    extra: RequestOptions & { query?: TaskListParams; auth?: boolean; retried?: boolean } = {},
  ): Promise<T> {
    const url = new URL(`${root}/api/v1${path}`);
    for (const [key, value] of Object.entries(extra.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value])
        url.searchParams.append(key, String(item));
    }
    const headers: Record<string, string> = {
      accept: "application/json, application/problem+json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.userAgent) headers["user-agent"] = options.userAgent;
    if (extra.auth !== false && session?.accessToken)
      headers.authorization = `Bearer ${session.accessToken}`;
    if (extra.ifMatch !== undefined) headers["if-match"] = `"${extra.ifMatch}"`;
    if (extra.idempotencyKey) headers["idempotency-key"] = extra.idempotencyKey;

    let response: TransportResponse;
    try {
      response = await transport({
        method,
        url,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal:
          options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
      });
    } catch (cause) {
      throw new NetworkError(root, { cause });
    }
    if (response.status === 204) return undefined as T;
    const payload: unknown = response.body ? safeJson(response.body) : undefined;
    if (response.status >= 200 && response.status < 300) return payload as T;

    const problem = toProblem(response, payload);
    if (problem.code === "token_expired" && !extra.retried && session?.refreshToken) {
      if (options.refreshSession) {
        session = await options.refreshSession(session);
      } else {
        const refreshed = await send<AuthSession>(
          "POST",
          "/auth/refresh",
          { refreshToken: session.refreshToken },
          { auth: false, retried: true },
        );
        session = { accessToken: refreshed.accessToken, refreshToken: refreshed.refreshToken };
        await options.onSessionRefreshed?.(refreshed);
      }
      return send<T>(method, path, body, { ...extra, retried: true });
    }
    throw new ApiError(problem, retryAfterSeconds(response.header("retry-after")));
  }

  return {
    /** The session the client currently uses (after any silent refresh). */
    get session(): ClientSession | undefined {
      return session;
    },
    signup: (input: SignupRequest) =>
      send<AuthSession>("POST", "/auth/signup", input, { auth: false }),
    login: (input: LoginRequest) =>
      send<AuthSession>("POST", "/auth/login", input, { auth: false }),
    refresh: (refreshToken: string) =>
      send<AuthSession>("POST", "/auth/refresh", { refreshToken }, { auth: false }),
    logout: (refreshToken: string) =>
      send<void>("POST", "/auth/logout", { refreshToken }, { auth: false }),
    me: () => send<User>("GET", "/users/me"),
    updateMe: (input: UserUpdate) => send<User>("PATCH", "/users/me", input),
    deleteMe: () => send<void>("DELETE", "/users/me"),
    changePassword: (input: PasswordChange) => send<void>("POST", "/users/me/password", input),
    listTasks: (query: TaskListParams = {}) =>
      send<TaskList>("GET", "/tasks", undefined, { query }),
    getTask: (id: number) => send<Task>("GET", `/tasks/${id}`),
    createTask: (input: TaskCreate, request: RequestOptions = {}) =>
      send<Task>("POST", "/tasks", input, request),
    /** Creates the task a line of words describes, and says what it understood. */
    quickAddTask: (input: QuickAddRequest, request: RequestOptions = {}) =>
      send<QuickAddResult>("POST", "/tasks/quick", input, request),
    /** What a line of words would create; creates nothing. */
    parseQuickAdd: (input: QuickAddRequest) => send<QuickAddParse>("POST", "/tasks/parse", input),
    updateTask: (id: number, input: TaskUpdate, request: RequestOptions = {}) =>
      send<Task>("PATCH", `/tasks/${id}`, input, request),
    replaceTask: (id: number, input: TaskReplace, request: RequestOptions = {}) =>
      send<Task>("PUT", `/tasks/${id}`, input, request),
    deleteTask: (id: number, request: RequestOptions = {}) =>
      send<void>("DELETE", `/tasks/${id}`, undefined, request),
    completeTask: (id: number, request: RequestOptions = {}) =>
      send<Task>("POST", `/tasks/${id}/complete`, undefined, request),
    reopenTask: (id: number, request: RequestOptions = {}) =>
      send<Task>("POST", `/tasks/${id}/reopen`, undefined, request),
    restoreTask: (id: number) => send<Task>("POST", `/tasks/${id}/restore`),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Retry-After` in seconds: delay-seconds, or an HTTP date turned into seconds from now. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function toProblem(response: TransportResponse, payload: unknown): Problem {
  const body = (payload ?? {}) as Partial<Problem>;
  return {
    type: body.type ?? "about:blank",
    title: body.title ?? response.statusText,
    status: body.status ?? response.status,
    detail: body.detail ?? `The API answered ${response.status} ${response.statusText}.`,
    code: body.code ?? (response.status >= 500 ? "internal" : "bad_request"),
    requestId: body.requestId ?? response.header("x-request-id") ?? "",
    ...(body.errors ? { errors: body.errors } : {}),
  };
}
