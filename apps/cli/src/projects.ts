/**
 * Project names on the command line: matched case-insensitively against the caller's projects
 * (active and archived), as the API keeps them unique whatever the case.
 */
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
  if (!found) {
    throw new CliError(
      `You have no project named "${printable(name.trim())}"; list yours with \`todo projects --all\`, or create it with \`todo project add ${printable(name.trim())}\`.`,
    );
  }
  return found;
}
