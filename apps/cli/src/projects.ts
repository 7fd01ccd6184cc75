/**
 * Project names on the command line: matched case-insensitively against the caller's projects
 * (active and archived), as the API keeps them unique whatever the case; and quick add's `+name`
 * when it names none of them.
 */
import { ApiError } from "@todo/client";
import type { Project } from "@todo/contract";
import type { Context } from "./context.js";
import { CliError } from "./errors.js";
import { printable } from "./text.js";

/** Every project of the caller (active and archived), by name, following the API's cursor. */
export async function allProjects(context: Context): Promise<Project[]> {
  const projects: Project[] = [];
  let cursor: string | undefined;
  do {
    const page = await context.client.listProjects({
      archived: "all",
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    projects.push(...page.data);
    cursor = page.meta.nextCursor ?? undefined;
  } while (cursor);
  return projects;
}

/**
 * The caller's project named `name` (trimmed, compared ignoring case).
 * @throws {CliError} (exit 1) when there is none, saying how to list or create projects.
 */
export async function projectNamed(context: Context, name: string): Promise<Project> {
  const wanted = name.trim().toLowerCase();
  const found = (await allProjects(context)).find(
    (project) => project.name.toLowerCase() === wanted,
  );
  if (!found) throw noProjectNamed(name);
  return found;
}

/** The error for a project name the caller has no project by (exit 1): how to list or create one. */
function noProjectNamed(name: string): CliError {
  const shown = printable(name.trim());
  return new CliError(
    `You have no project named "${shown}"; list yours with \`todo projects --all\`, or create it with \`todo project add ${shown}\`.`,
  );
}

/** A `+name` word of quick add, as the API reads one: a letter or `_`, then no space, `+` or `"`. */
const PROJECT_WORD = /^\+([\p{L}_][^\s+"]{0,99})$/u;

/**
 * Tells a quick add refused for naming an unknown project from other refusals: when `error` is
 * the API's 422 on `text`, looks for a `+name` word of `text` that is none of the caller's
 * projects (one more request, on this failure only) and returns the error saying so, with how to
 * create it (exit 1, as for `-P`). Anything else: `error` as it is.
 */
export async function unknownProjectOr(
  context: Context,
  text: string,
  error: unknown,
): Promise<unknown> {
  const onText =
    error instanceof ApiError &&
    error.code === "validation_failed" &&
    (error.problem.errors ?? []).some((field) => field.path === "text");
  if (!onText) return error;
  const named = text
    .split(/\s+/)
    .map((word) => PROJECT_WORD.exec(word)?.[1])
    .filter((name): name is string => name !== undefined);
  if (!named.length) return error;
  const known = new Set((await allProjects(context)).map((project) => project.name.toLowerCase()));
  const unknown = named.find((name) => !known.has(name.toLowerCase()));
  return unknown === undefined ? error : noProjectNamed(unknown);
}
