/**
 * The stored logins: `credentials.json` in the config folder (DESIGN §4), one session per API URL so
 * a token is only ever sent to the server that issued it.
 *
 * File format (versioned, validated with zod on every read):
 * `{ version: 1, defaultApiUrl, sessions: { [apiUrl]: { accessToken, refreshToken, user, savedAt } } }`.
 * Written atomically (temp file + rename, so a crash never leaves half a file), mode 0600 in a
 * folder of mode 0700 (the tokens are bearer credentials: OWASP ASVS 8.3.4).
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { z } from "zod";
import { AuthRequiredError, CliError } from "./errors.js";

/** The logged-in user as last seen by the CLI (for `whoami` without a round trip). */
const StoredUser = z.object({ id: z.string(), email: z.string(), name: z.string().nullable() });

/** One API's session: a JWT access token and, unless given with `--with-token`, a refresh token. */
export const StoredSession = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullable(),
  user: StoredUser.nullable(),
  /** When this session was last written (ISO 8601 UTC). */
  savedAt: z.iso.datetime(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** Version 1 of `credentials.json`. */
export const CredentialsFile = z.object({
  version: z.literal(1),
  /** The API used when neither `--api-url` nor `TODO_API_URL` names one: the last one logged in to. */
  defaultApiUrl: z.string().nullable(),
  sessions: z.record(z.string(), StoredSession),
});
export type CredentialsFile = z.infer<typeof CredentialsFile>;

const EMPTY: CredentialsFile = { version: 1, defaultApiUrl: null, sessions: {} };

/** Reads and writes `credentials.json` in one folder. */
export class CredentialsStore {
  /** Absolute path of `credentials.json`. */
  readonly path: string;

  constructor(readonly folder: string) {
    this.path = join(folder, "credentials.json");
  }

  /**
   * The stored file, or an empty one when there is none.
   * @throws {AuthRequiredError} when the file is unreadable, not JSON or not a known version.
   */
  async read(): Promise<CredentialsFile> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
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
    const parsed = CredentialsFile.safeParse(json);
    if (!parsed.success) {
      throw new AuthRequiredError(
        `${this.path} is damaged or from a newer todo; delete it and run \`todo login\`.`,
      );
    }
    return parsed.data;
  }

  /** Stores `session` for `apiUrl` and (unless `makeDefault` is false) makes that API the default. */
  async saveSession(
    apiUrl: string,
    session: Omit<StoredSession, "savedAt">,
    options: { makeDefault?: boolean } = {},
  ): Promise<void> {
    const file = await this.read();
    file.sessions[apiUrl] = { ...session, savedAt: new Date().toISOString() };
    if (options.makeDefault !== false || file.defaultApiUrl === null) file.defaultApiUrl = apiUrl;
    await this.write(file);
  }

  /** Forgets the session for `apiUrl`; deletes the file when no session is left. */
  async removeSession(apiUrl: string): Promise<void> {
    const file = await this.read();
    delete file.sessions[apiUrl];
    if (file.defaultApiUrl === apiUrl) file.defaultApiUrl = Object.keys(file.sessions)[0] ?? null;
    if (Object.keys(file.sessions).length === 0) {
      await rm(this.path, { force: true });
      return;
    }
    await this.write(file);
  }

  /**
   * Runs `body` while holding `credentials.json.lock` (created with O_EXCL), so two `todo`
   * processes never refresh the same session at once. A lock older than 30 s is taken to be left
   * by a crashed run and removed.
   * @throws {CliError} when another run holds the lock for more than 10 s.
   */
  async withLock<T>(body: () => Promise<T>): Promise<T> {
    const lock = `${this.path}.lock`;
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await (await open(lock, "wx", 0o600)).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const age = await stat(lock).then(
          (info) => Date.now() - info.mtimeMs,
          () => 0,
        );
        if (age > 30_000) await rm(lock, { force: true });
        else if (Date.now() > deadline)
          throw new CliError(`${lock} is held by another todo; if none is running, delete it.`);
        else await sleep(50);
      }
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
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(CredentialsFile.parse(file), null, 2)}\n`);
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
