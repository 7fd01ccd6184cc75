import { Option, type Command } from "commander";
import type { TaskListParams, TaskSort } from "@todo/contract";
import { commandAction } from "../action.js";
import { toIsoDate } from "../dates.js";
import { UsageError } from "../errors.js";
import { renderSummary, renderTaskTable } from "../format.js";
import { allProjects, projectNamed } from "../projects.js";
import {
  PRIORITY_CHOICES,
  collect,
  integer,
  parseSort,
  type CommonOptionValues,
} from "../options.js";

interface ListOptions extends CommonOptionValues {
  pending?: boolean;
  done?: boolean;
  all?: boolean;
  deleted?: boolean;
  tag?: string[];
  search?: string;
  priority?: (typeof PRIORITY_CHOICES)[number];
  overdue?: boolean;
  project?: string;
  sort?: TaskSort;
  limit: number;
  page: number;
}

/** The sort a list uses when `--sort` names none: oldest first, or in the trash last removed first. */
function sortOf(options: ListOptions): TaskSort {
  const trashSort = options.sort?.endsWith("deletedAt") ?? false;
  if (options.sort && trashSort !== Boolean(options.deleted)) {
    throw new UsageError(
      options.deleted
        ? "The trash sorts only by removal time; use --sort removed or --sort -removed with --deleted."
        : "--sort removed sorts the trash; add --deleted to list removed tasks.",
    );
  }
  return options.sort ?? (options.deleted ? "-deletedAt" : "createdAt");
}

/**
 * `todo list`: pending tasks by default, or the trash with `--deleted`, as an aligned table with a
 * summary line, or the API's `{data, meta}` body with `--json`.
 */
export function registerListCommand(program: Command): void {
  program
    .command("list")
    .alias("ls")
    .description("list your tasks (pending ones unless --done, --all or --deleted)")
    .addOption(
      new Option("--pending", "only pending tasks (the default)").conflicts(["done", "all"]),
    )
    .addOption(new Option("--done", "only completed tasks").conflicts(["all"]))
    .option("--all", "pending and completed tasks")
    .option(
      "--deleted",
      "removed tasks (the trash), last removed first; bring one back with restore",
    )
    .option("-t, --tag <tag>", "only tasks with this tag (repeat: all must match)", collect)
    .option("-s, --search <query>", "only tasks whose title or description contains this text")
    .addOption(
      new Option("-p, --priority <priority>", "only tasks of this priority").choices(
        PRIORITY_CHOICES,
      ),
    )
    .option("--overdue", "only pending tasks whose due date has passed")
    .option(
      "-P, --project <name>",
      "only this project's tasks (by name, any case; archived ones too), or `none` for the Inbox",
    )
    .option(
      "--sort <field>",
      "due, created (the default), updated, priority or title; removed with --deleted; a leading - sorts descending",
      parseSort,
    )
    .option("--limit <n>", "tasks per page, 1-100", integer(1, 100), 20)
    .option("--page <n>", "page number", integer(1, 1_000_000), 1)
    .addHelpText(
      "after",
      "\n--json prints the API's page: {data: [task, …], meta: {limit, total, page, totalPages, nextCursor}}.",
    )
    .action(
      commandAction("login", async (context, options: ListOptions) => {
        const sort = sortOf(options);
        // The trash shows every removed task unless --pending or --done narrows it.
        const status = options.pending
          ? "pending"
          : options.done
            ? "completed"
            : options.all || options.deleted
              ? "all"
              : "pending";
        const query: TaskListParams = {
          status,
          ...(options.deleted ? { deleted: "true" as const } : {}),
          ...(options.tag ? { tag: options.tag } : {}),
          ...(options.search ? { q: options.search } : {}),
          ...(options.priority ? { priority: options.priority } : {}),
          ...(options.overdue ? { overdue: "true" as const } : {}),
          ...(options.project === undefined
            ? {}
            : {
                project:
                  options.project.trim().toLowerCase() === "none"
                    ? "none"
                    : String((await projectNamed(context, options.project)).id),
              }),
          sort,
          limit: options.limit,
          page: options.page,
        };
        const list = await context.client.listTasks(query);
        const { output } = context;
        if (output.json) {
          output.printJson(list);
          return;
        }
        const today = toIsoDate(new Date());
        const label = [
          options.overdue ? "overdue" : status === "all" ? "" : status,
          options.deleted ? "removed" : "",
        ]
          .filter(Boolean)
          .join(" ");
        if (list.data.length === 0) {
          const total = list.meta.total ?? 0;
          const filtered = options.tag || options.search || options.priority;
          output.message(
            total > 0
              ? `No tasks on page ${options.page}; there are ${list.meta.totalPages} page(s).`
              : options.deleted
                ? `No ${label} tasks${filtered ? " match" : ""}; \`todo rm <id>\` moves a task here.`
                : `No ${label ? `${label} ` : ""}tasks${filtered ? " match" : ""}; add one with \`todo add <title>\`.`,
          );
          return;
        }
        // A PROJECT column only when the page mixes projects (the Inbox counts as one).
        const mixed = new Set(list.data.map((task) => task.projectId)).size > 1;
        const projects = mixed
          ? new Map((await allProjects(context)).map((project) => [project.id, project.name]))
          : undefined;
        output.message(
          renderTaskTable(list.data, output, today, { trash: options.deleted, projects }),
        );
        output.message(
          output.paint(
            "dim",
            renderSummary(
              list.data,
              list.meta,
              label,
              today,
              options.deleted ? "restore one with `todo restore <id>`" : undefined,
            ),
          ),
        );
      }),
    );
}
