/**
 * The stored logins: `credentials.json` in the config folder (DESIGN §4), one session per API URL so
 * a token is only ever sent to the server that issued it.
 *
 * File format (versioned, checked on every read):
 * `{ version: 1, defaultApiUrl, sessions: { [apiUrl]: { accessToken, refreshToken, user, savedAt } } }`.
 * Written atomically (temp file + rename, so a crash never leaves half a file), mode 0600 in a
 * folder of mode 0700 (the tokens are bearer credentials: OWASP ASVS 8.3.4).
 */
import { readFileSync } from "node:fs";
import { chmod, link, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { AuthRequiredError } from "./errors.js";

/** The logged-in user as last seen by the CLI (for `whoami` without a round trip). */
export interface StoredUser {
  id: string;
  email: string;
  name: string | null;
}

/** One API's session: a JWT access token and, unless given with `--with-token`, a refresh token. */
export interface StoredSession {
  accessToken: string;
  refreshToken: string | null;
  user: StoredUser | null;
  /** When this session was last written (ISO 8601 UTC). */
  savedAt: string;
}

/** Version 1 of `credentials.json`. */
export interface CredentialsFile {
  version: 1;
  /** The API used when neither `--api-url` nor `TODO_API_URL` names one: the last one logged in to. */
  defaultApiUrl: string | null;
  sessions: Record<string, StoredSession>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === "string";
const isToken = (value: unknown): value is string => isText(value) && value.length > 0;

function isStoredUser(value: unknown): value is StoredUser {
  return (
    isObject(value) &&
    isText(value.id) &&
    isText(value.email) &&
    (value.name === null || isText(value.name))
  );
}

function isStoredSession(value: unknown): value is StoredSession {
  return (
    isObject(value) &&
    isToken(value.accessToken) &&
    (value.refreshToken === null || isToken(value.refreshToken)) &&
    (value.user === null || isStoredUser(value.user)) &&
    isText(value.savedAt) &&
    !Number.isNaN(Date.parse(value.savedAt))
  );
}

/**
 * True when `value` is a version-1 {@link CredentialsFile}. Checked by hand rather than with zod,
 * which this CLI uses for the API's contract: every command reads this file, and loading zod
 * costs a `todo list` 4–20 ms of start-up (measured), more than its budget of half a bare `node`
 * start leaves.
 */
export function isCredentialsFile(value: unknown): value is CredentialsFile {
  return (
    isObject(value) &&
    value.version === 1 &&
    (value.defaultApiUrl === null || isText(value.defaultApiUrl)) &&
    isObject(value.sessions) &&
    Object.values(value.sessions).every(isStoredSession)
  );
}

const EMPTY: CredentialsFile = { version: 1, defaultApiUrl: null, sessions: {} };

/** Reads and writes `credentials.json` in one folder. */
export class CredentialsStore {
  /** Absolute path of `credentials.json`. */
  readonly path: string;

  constructor(readonly folder: string) {
    this.path = join(folder, "credentials.json");
  }

  /**
   * The stored file, or an empty one when there is none. Synchronous: a small file, read on every
   * run, where fs/promises costs about a millisecond of round trips through the thread pool.
   * @throws {AuthRequiredError} when the file is unreadable, not JSON or not a known version.
   */
  read(): CredentialsFile {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return structuredClone(EMPTY);
      throw new AuthRequiredError(
        `Cannot read ${this.path} (${(error as Error).message}); fix its permissions or run \`todo login\`.`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!isCredentialsFile(json)) {
      throw new AuthRequiredError(
        `${this.path} is damaged or from a newer todo; delete it and run \`todo login\`.`,
      );
    }
    return json;
  }

  /** Stores `session` for `apiUrl` and (unless `makeDefault` is false) makes that API the default. */
  async saveSession(
    apiUrl: string,
    session: Omit<StoredSession, "savedAt">,
    options: { makeDefault?: boolean } = {},
  ): Promise<void> {
    const file = this.read();
    file.sessions[apiUrl] = { ...session, savedAt: new Date().toISOString() };
    if (options.makeDefault !== false || file.defaultApiUrl === null) file.defaultApiUrl = apiUrl;
    await this.write(file);
  }

  /** Forgets the session for `apiUrl`; deletes the file when no session is left. */
  async removeSession(apiUrl: string): Promise<void> {
    const file = this.read();
    delete file.sessions[apiUrl];
    if (file.defaultApiUrl === apiUrl) file.defaultApiUrl = Object.keys(file.sessions)[0] ?? null;
    if (Object.keys(file.sessions).length === 0) {
      await rm(this.path, { force: true });
      return;
    }
    await this.write(file);
  }

  /**
   * Runs `body` while holding `credentials.json.lock`, so two `todo` processes never refresh the
   * same session at once. The lock file names its holder (pid and host) and appears whole or not
   * at all (written aside, then hard-linked into place). A waiter polls until the holder is done,
   * however long that takes on a busy machine; a lock whose holder ran on this host and is no
   * longer alive was left by a crash and is broken. There is no deadline: a live holder always
   * finishes, and Ctrl-C ends a wait.
   */
  async withLock<T>(body: () => Promise<T>): Promise<T> {
    const lock = `${this.path}.lock`;
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const mine: LockHolder = { pid: process.pid, host: hostname() };
    const draft = privateName(lock);
    await writeFile(draft, JSON.stringify(mine), { mode: 0o600 });
    let toldAboutOtherHost = false;
    try {
      for (;;) {
        try {
          await link(draft, lock);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
        const holder = await readLockHolder(lock);
        if (holder === "gone") continue;
        // A lock this code did not write (an older todo's empty one), or one whose holder died.
        if (holder === "unknown" || (holder.host === mine.host && !isAlive(holder.pid))) {
          if (await breakStaleLock(lock, holder, draft)) continue;
        } else if (holder.host !== mine.host && !toldAboutOtherHost) {
          toldAboutOtherHost = true;
          process.stderr.write(
            `Waiting for the todo run (pid ${holder.pid} on ${holder.host}) that holds ${lock}; if none is running there, delete that file.\n`,
          );
        }
        await sleep(25);
      }
    } finally {
      await rm(draft, { force: true });
    }
    try {
      return await body();
    } finally {
      await rm(lock, { force: true });
    }
  }

  /** Atomic write: a private temp file in the same folder, fsync, then rename over the old file. */
  private async write(file: CredentialsFile): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    // mkdir keeps the mode of an existing folder; tighten it, since it holds bearer tokens.
    await chmod(this.folder, 0o700);
    const temp = `${privateName(this.path)}.tmp`;
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

/**
 * A name next to `path` that no other process uses: `path.<pid>.<random>`. node:crypto is loaded
 * here, on writes only, so that reading the credentials stays cheap.
 */
function privateName(path: string): string {
  const { randomBytes } = process.getBuiltinModule("node:crypto");
  return `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
}

/** Who holds `credentials.json.lock`. */
interface LockHolder {
  pid: number;
  host: string;
}

/**
 * The holder named in `lock`; `"gone"` when there is no lock any more, `"unknown"` when it names
 * no holder (this code writes a lock whole, so that one is from elsewhere).
 */
async function readLockHolder(lock: string): Promise<LockHolder | "gone" | "unknown"> {
  let text: string;
  try {
    text = await readFile(lock, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unknown";
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder> | null;
    return typeof holder?.pid === "number" && typeof holder.host === "string"
      ? { pid: holder.pid, host: holder.host }
      : "unknown";
  } catch {
    return "unknown";
  }
}

/** True when a process with this pid exists on this host (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a lock left by the dead `stale` holder. Moved aside first, so that of several waiters
 * breaking it at once only one succeeds; one that moved a fresh lock instead (another waiter
 * broke the stale one and took the lock in between) puts it back. True when the stale lock is gone.
 */
async function breakStaleLock(
  lock: string,
  stale: LockHolder | "unknown",
  draft: string,
): Promise<boolean> {
  const aside = `${draft}.stale`;
  try {
    await rename(lock, aside);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT"; // someone else moved it first
  }
  const moved = await readLockHolder(aside);
  const same =
    typeof moved === "string" || typeof stale === "string"
      ? moved === stale
      : moved.pid === stale.pid && moved.host === stale.host;
  if (!same) {
    await link(aside, lock).catch(() => undefined);
  }
  await rm(aside, { force: true });
  return true;
}
