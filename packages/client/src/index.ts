/**
 * A typed HTTP client for the todo API, over the zod contract. Database-free: usable from the CLI,
 * a browser or any TypeScript frontend (it needs only `fetch`).
 */
import { createParser } from "eventsource-parser";
import type {
  AuthSession,
  LiveEvent,
  PasswordChange,
  Problem,
  QuickAddParse,
  QuickAddRequest,
  QuickAddResult,
  Project,
  ProjectCreate,
  ProjectList,
  ProjectListParams,
  ProjectUpdate,
  SignupRequest,
  LoginRequest,
  SyncParams,
  SyncResult,
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
  /** The task's or project's version the write is based on; a stale one fails with 412 (RFC 9110 §13.1.1). */
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

/** Options of {@link TodoClient.subscribe}. */
export interface SubscribeOptions {
  /** Resume after this event (its `id`, a sync token): every change since is delivered, once. */
  lastEventId?: string | undefined;
  /** Stops the subscription: the promise then resolves. */
  signal?: AbortSignal | undefined;
  /** Called each time the stream is open (first connection and every reconnection). */
  onOpen?: (() => void) | undefined;
  /**
   * Called when the connection is lost or the server ends the stream (`reason` from its
   * `stream.ended` event: `slow`, `closed`, `revoked`; or the error), before reconnecting.
   */
  onDisconnect?: ((cause: { reason?: string; error?: unknown }) => void) | undefined;
  /** Milliseconds before reconnecting, doubled per failure up to 30 s. Default 1000. */
  retryMs?: number | undefined;
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
    extra: RequestOptions & {
      query?: TaskListParams | ProjectListParams | SyncParams;
      auth?: boolean;
      retried?: boolean;
    } = {},
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
      await refresh(session);
      return send<T>(method, path, body, { ...extra, retried: true });
    }
    throw new ApiError(problem, retryAfterSeconds(response.header("retry-after")));
  }

  /**
   * Replaces `stale`, whose access token expired: through `options.refreshSession`, or
   * `POST /auth/refresh` with its refresh token (then `onSessionRefreshed`).
   */
  async function refresh(stale: ClientSession): Promise<void> {
    if (options.refreshSession) {
      session = await options.refreshSession(stale);
      return;
    }
    const refreshed = await send<AuthSession>(
      "POST",
      "/auth/refresh",
      { refreshToken: stale.refreshToken },
      { auth: false, retried: true },
    );
    session = { accessToken: refreshed.accessToken, refreshToken: refreshed.refreshToken };
    await options.onSessionRefreshed?.(refreshed);
  }

  /** The access token to send, refreshed first when it is `stale` (refused as `token_expired`). */
  async function freshToken(stale: string | undefined): Promise<string | undefined> {
    if (stale !== undefined && session?.refreshToken && session.accessToken === stale)
      await refresh(session);
    return session?.accessToken;
  }

  /**
   * One connection to `GET /events`: delivers events until the stream ends. Resolves with the
   * server's reason for ending it (absent: the connection just closed); rejects with
   * {@link ApiError} when refused, {@link NetworkError} when the API cannot be reached.
   */
  async function streamOnce(
    onEvent: (event: LiveEvent) => void,
    lastEventId: () => string | undefined,
    signal: AbortSignal | undefined,
    onOpen: (() => void) | undefined,
  ): Promise<string | undefined> {
    const doFetch = options.fetch ?? globalThis.fetch;
    const url = `${root}/api/v1/events`;
    let refused: string | undefined;
    for (;;) {
      const token = await freshToken(refused);
      const headers: Record<string, string> = { accept: "text/event-stream" };
      if (token) headers.authorization = `Bearer ${token}`;
      const last = lastEventId();
      if (last !== undefined) headers["last-event-id"] = last;
      let response: Response;
      try {
        response = await doFetch(url, { headers, signal });
      } catch (cause) {
        if (signal?.aborted) return undefined;
        throw new NetworkError(root, { cause });
      }
      if (response.status !== 200) {
        const body = await response.text();
        const problem = toProblem(
          {
            status: response.status,
            statusText: response.statusText,
            header: (name) => response.headers.get(name),
            body,
          },
          safeJson(body),
        );
        if (problem.code === "token_expired" && refused === undefined && session?.refreshToken) {
          refused = token;
          continue;
        }
        throw new ApiError(problem, retryAfterSeconds(response.headers.get("retry-after")));
      }
      onOpen?.();
      let ended: string | undefined;
      const parser = createParser({
        onEvent(message) {
          if (message.event === "stream.ended") {
            ended = (safeJson(message.data) as { reason?: string } | undefined)?.reason;
            return;
          }
          onEvent({
            type: message.event as LiveEvent["type"],
            id: message.id ?? "",
            data: JSON.parse(message.data) as LiveEvent["data"],
          });
        },
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch (cause) {
        if (signal?.aborted) return undefined;
        throw new NetworkError(root, { cause });
      }
      return ended;
    }
  }

  return {
    /**
     * Everything that changed after `since` (a sync token from a previous sync or the last event's
     * `id`), or the full live state without it; page on while `more` is true with
     * `since: token`. Rejects with {@link ApiError} `sync_token_expired` (410) when `since` is
     * older than the changes kept: sync again without it.
     */
    sync: (since?: string, query: Omit<SyncParams, "since"> = {}) =>
      send<SyncResult>("GET", "/sync", undefined, { query: { ...query, since } }),
    /**
     * Delivers every change to the caller's tasks and projects (Server-Sent Events over `fetch`,
     * with the `Authorization` header: usable from a browser) until `options.signal` aborts; the
     * promise then resolves. A dropped connection, or a stream the server ends, is reopened after
     * a pause, resuming after the last event delivered, so no change is missed or repeated.
     * Rejects with {@link ApiError} when the API refuses: `unauthorized` once the session has
     * ended (say, logged out), `sync_token_expired` when `lastEventId` is older than the changes
     * kept (sync in full, then subscribe from its token).
     */
    async subscribe(
      onEvent: (event: LiveEvent) => void,
      subscribeOptions: SubscribeOptions = {},
    ): Promise<void> {
      const { signal, onOpen, onDisconnect } = subscribeOptions;
      const retryMs = subscribeOptions.retryMs ?? 1000;
      let lastEventId = subscribeOptions.lastEventId;
      let failures = 0;
      while (!signal?.aborted) {
        let cause: { reason?: string; error?: unknown };
        try {
          const reason = await streamOnce(
            (event) => {
              lastEventId = event.id;
              failures = 0;
              onEvent(event);
            },
            () => lastEventId,
            signal,
            onOpen,
          );
          cause = { reason };
        } catch (error) {
          if (!(error instanceof NetworkError)) throw error;
          cause = { error };
        }
        if (signal?.aborted) break;
        onDisconnect?.(cause);
        const pause = Math.min(30_000, retryMs * 2 ** failures++);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
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
    listProjects: (query: ProjectListParams = {}) =>
      send<ProjectList>("GET", "/projects", undefined, { query }),
    getProject: (id: number) => send<Project>("GET", `/projects/${id}`),
    createProject: (input: ProjectCreate, request: RequestOptions = {}) =>
      send<Project>("POST", "/projects", input, request),
    renameProject: (id: number, input: ProjectUpdate, request: RequestOptions = {}) =>
      send<Project>("PATCH", `/projects/${id}`, input, request),
    deleteProject: (id: number, request: RequestOptions = {}) =>
      send<void>("DELETE", `/projects/${id}`, undefined, request),
    archiveProject: (id: number, request: RequestOptions = {}) =>
      send<Project>("POST", `/projects/${id}/archive`, undefined, request),
    unarchiveProject: (id: number, request: RequestOptions = {}) =>
      send<Project>("POST", `/projects/${id}/unarchive`, undefined, request),
    restoreProject: (id: number, request: RequestOptions = {}) =>
      send<Project>("POST", `/projects/${id}/restore`, undefined, request),
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
