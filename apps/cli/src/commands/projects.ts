import type { Command } from "commander";
import type { Project } from "@todo/contract";
import { commandAction } from "../action.js";
import { forgetProjectNames } from "../complete.js";
import type { Context } from "../context.js";
import type { CommonOptionValues } from "../options.js";
import { allProjects, projectNamed } from "../projects.js";
import { UsageError } from "../errors.js";
import { printable } from "../text.js";

interface ProjectsOptions extends CommonOptionValues {
  archived?: boolean;
  all?: boolean;
}

/** One line per project: number, name, open tasks, and whether it is archived. */
function renderProjects(projects: readonly Project[]): string {
  const width = Math.max(4, ...projects.map((project) => printable(project.name).length));
  const lines = projects.map(
    (project) =>
      `${String(project.id).padStart(3)}  ${printable(project.name).padEnd(width)}  ${String(project.openTasks).padStart(4)} open${project.archived ? "  (archived)" : ""}`,
  );
  return [`${"ID".padStart(3)}  ${"NAME".padEnd(width)}  OPEN`, ...lines].join("\n");
}

/**
 * Prints a changed project: the API's project with `--json`, else `sentence`. Every change goes
 * through here, so it also forgets the project names cached for shell completion.
 */
function report(context: Context, project: Project, sentence: string): void {
  forgetProjectNames(context);
  if (context.output.json) context.output.printJson(project);
  else context.output.message(sentence);
}

/**
 * `todo projects` (active projects; `--archived`, `--all`) and `todo project add|rename|archive|
 * unarchive|rm|restore`: projects by name, matched case-insensitively.
 */
export function registerProjectsCommands(program: Command): void {
  program
    .command("projects")
    .description("list your projects (active ones unless --archived or --all)")
    .option("--archived", "only archived projects")
    .option("--all", "active and archived projects")
    .addHelpText(
      "after",
      "\n--json prints an array of projects: [{id, uid, name, archived, openTasks, version, createdBy, createdAt, updatedAt}, …].",
    )
    .action(
      commandAction("login", async (context, options: ProjectsOptions) => {
        const wanted = options.all ? undefined : Boolean(options.archived);
        const projects = (await allProjects(context)).filter(
          (project) => wanted === undefined || project.archived === wanted,
        );
        if (context.output.json) context.output.printJson(projects);
        else if (projects.length === 0)
          context.output.message(
            options.archived
              ? "No archived projects."
              : "No projects; create one with `todo project add <name>`.",
          );
        else context.output.message(renderProjects(projects));
      }),
    );

  const project = program
    .command("project")
    .description("add, rename, archive, unarchive, remove or restore a project");
  project
    .command("add")
    .description("create a project")
    .argument("<name...>", "its name (several words are joined)")
    .addHelpText("after", "\n--json prints the created project.")
    .action(
      commandAction("login", async (context, _options: CommonOptionValues, words: string[]) => {
        const created = await context.client.createProject(
          { name: words.join(" ") },
          { idempotencyKey: crypto.randomUUID() },
        );
        report(
          context,
          created,
          `Added project ${created.id} "${printable(created.name)}"; add tasks to it with \`todo add <title> -P ${printable(created.name)}\`.`,
        );
      }),
    );
  project
    .command("rename")
    .description("rename a project")
    .argument("<name>", "its current name")
    .argument("<new-name...>", "its new name")
    .addHelpText("after", "\n--json prints the renamed project.")
    .action(
      commandAction(
        "login",
        async (context, _options: CommonOptionValues, name: string, words: string[]) => {
          const found = await projectNamed(context, name);
          const renamed = await context.client.renameProject(
            found.id,
            { name: words.join(" ") },
            { ifMatch: found.version },
          );
          report(
            context,
            renamed,
            `Renamed project ${renamed.id} to "${printable(renamed.name)}".`,
          );
        },
      ),
    );
  for (const archived of [true, false]) {
    const action = archived ? "archive" : "unarchive";
    project
      .command(action)
      .description(
        archived
          ? "archive a project: it and its tasks leave `todo projects` and `todo list` unless named"
          : "make an archived project active again",
      )
      .argument("<name>", "the project's name")
      .addHelpText("after", "\n--json prints the project.")
      .action(
        commandAction("login", async (context, _options: CommonOptionValues, name: string) => {
          const found = await projectNamed(context, name);
          const changed = archived
            ? await context.client.archiveProject(found.id)
            : await context.client.unarchiveProject(found.id);
          report(
            context,
            changed,
            `${archived ? "Archived" : "Unarchived"} project "${printable(changed.name)}".`,
          );
        }),
      );
  }
  project
    .command("rm")
    .alias("remove")
    .description("remove a project and its tasks (undo with `todo project restore <id>`)")
    .argument("<name>", "the project's name")
    .addHelpText("after", "\n--json prints the removed project as it was.")
    .action(
      commandAction("login", async (context, _options: CommonOptionValues, name: string) => {
        const found = await projectNamed(context, name);
        await context.client.deleteProject(found.id, { ifMatch: found.version });
        report(
          context,
          found,
          `Removed project ${found.id} "${printable(found.name)}" and its tasks; undo with \`todo project restore ${found.id}\`.`,
        );
      }),
    );
  project
    .command("restore")
    .description("bring back a removed project and the tasks removed with it")
    .argument("<id>", "the project's number (as `todo project rm` printed it)")
    .addHelpText("after", "\n--json prints the restored project.")
    .action(
      commandAction("login", async (context, _options: CommonOptionValues, id: string) => {
        const restored = await context.client.restoreProject(projectNumber(id));
        report(
          context,
          restored,
          `Restored project ${restored.id} "${printable(restored.name)}" with ${restored.openTasks} open task(s).`,
        );
      }),
    );
}

/** A project number from the command line. */
function projectNumber(text: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < 1 || Number(text) > 2_147_483_647)
    throw new UsageError(`"${printable(text)}" is not a project number.`);
  return Number(text);
}
