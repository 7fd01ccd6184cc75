/**
 * `todo __complete projects [active|archived|all]`: the hidden command the completion scripts of
 * `todo completion` run on Tab for project names. It prints the caller's project names, one a
 * line, and nothing else: never an error (a shell would print it in the middle of the command
 * line), always exit 0, nothing at all when logged out or when the API cannot be reached.
 *
 * The names are cached for {@link PROJECT_NAMES_TTL_MS} in the cache folder (`$TODO_CACHE_DIR`,
 * `$XDG_CACHE_HOME/todo` or `~/.cache/todo`), one file per API URL and user, so a burst of Tabs
 * makes one request; the project commands forget the file when they change a project. `bin.ts`
 * loads this module alone (no commander, no commands), so a Tab costs little more than a Node start.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createContext, type Context } from "./context.js";
import { allProjects } from "./projects.js";

/** How long fetched project names are offered again without asking the API, in milliseconds. */
export const PROJECT_NAMES_TTL_MS = 30_000;

/** Which projects' names to print: active ones (the default), archived ones, or both. */
export type ProjectSet = "active" | "archived" | "all";
const PROJECT_SETS: readonly ProjectSet[] = ["active", "archived", "all"];

/** The cache file's content. `savedAt`: milliseconds since the epoch. */
interface CachedProjects {
  readonly savedAt: number;
  readonly projects: readonly { readonly name: string; readonly archived: boolean }[];
}

/**
 * Runs `todo __complete <args…>` (`args` after `__complete`); `version` is the CLI's, for the
 * `User-Agent`. Resolves once the names are printed; never rejects, and leaves exit code 0.
 */
export async function complete(args: readonly string[], version: string): Promise<void> {
  process.exitCode = 0;
  try {
    const [what, set = "active"] = args;
    if (what !== "projects" || !PROJECT_SETS.includes(set as ProjectSet)) return;
    const context = createContext({}, "login", version);
    if (!context.tokenSource) return;
    // A shell waits for this on every Tab: past the wait, offer nothing rather than hang it.
    setTimeout(() => process.exit(0), context.env.completionWaitMs).unref();
    const projects = await cachedProjects(context);
    const names = projects
      .filter((project) => set === "all" || project.archived === (set === "archived"))
      .map((project) => project.name)
      // A name a shell cannot take as one word (a line break, a control character) is left out.
      // eslint-disable-next-line no-control-regex
      .filter((name) => !/[\u0000-\u001f\u007f]/.test(name));
    if (names.length) process.stdout.write(`${names.join("\n")}\n`);
  } catch {
    // Completion offers nothing rather than an error.
  }
}

/** The caller's projects, from the cache while it is fresh, else from the API (then cached). */
async function cachedProjects(context: Context): Promise<CachedProjects["projects"]> {
  const file = projectNamesCacheFile(context);
  if (file) {
    const cached = readCache(file);
    const age = cached ? Date.now() - cached.savedAt : -1;
    if (cached && age >= 0 && age < PROJECT_NAMES_TTL_MS) return cached.projects;
  }
  const projects = (await allProjects(context)).map(({ name, archived }) => ({ name, archived }));
  if (file) {
    try {
      writeCache(context.env.cacheDir, file, { savedAt: Date.now(), projects });
    } catch {
      // An unwritable cache folder costs a request per Tab, nothing more.
    }
  }
  return projects;
}

/**
 * The cache file of the context's API URL and user (the access token's issuer and subject), or
 * undefined when the token names no user. The name is a hash: neither the URL nor the user shows.
 */
function projectNamesCacheFile(context: Context): string | undefined {
  const token = context.env.token ?? context.stored?.accessToken;
  let claims: { iss?: unknown; sub?: unknown };
  try {
    claims = JSON.parse(
      Buffer.from(token?.split(".")[1] ?? "", "base64url").toString("utf8"),
    ) as typeof claims;
  } catch {
    return undefined;
  }
  if (typeof claims.sub !== "string" || !claims.sub) return undefined;
  const key = JSON.stringify([
    context.apiUrl,
    typeof claims.iss === "string" ? claims.iss : "",
    claims.sub,
  ]);
  // Loaded here, not at the top: the project commands import this module, and only they and
  // completion need a hash.
  const { createHash } = process.getBuiltinModule("node:crypto");
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 32);
  return join(context.env.cacheDir, `projects-${hash}.json`);
}

/**
 * Forgets the cached project names of the context's API URL and user, so the next completion asks
 * the API: the project commands call it after a change. Never throws.
 */
export function forgetProjectNames(context: Context): void {
  try {
    const file = projectNamesCacheFile(context);
    if (file) rmSync(file, { force: true });
  } catch {
    // Nothing cached, or nothing to do about it: the entry expires on its own.
  }
}

function readCache(file: string): CachedProjects | undefined {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as {
      savedAt?: unknown;
      projects?: unknown;
    };
    const valid =
      typeof value.savedAt === "number" &&
      Array.isArray(value.projects) &&
      (value.projects as { name?: unknown; archived?: unknown }[]).every(
        (project) => typeof project?.name === "string" && typeof project.archived === "boolean",
      );
    return valid ? (value as CachedProjects) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically (a temp file renamed over), mode 0600 in a folder of mode 0700. */
function writeCache(folder: string, file: string, value: CachedProjects): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(value), { mode: 0o600 });
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}
