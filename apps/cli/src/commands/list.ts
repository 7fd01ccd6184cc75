import { Option, InvalidArgumentError, type Command } from "commander";
import {
  PRIORITY_CHOICES,
  SORT_CHOICES,
  collect,
  withCommonOptions,
  type CommonOptionValues,
} from "../options.js";

interface ListOptions extends CommonOptionValues {
  pending?: boolean;
  done?: boolean;
  all?: boolean;
  tag?: string[];
  search?: string;
  priority?: (typeof PRIORITY_CHOICES)[number];
  overdue?: boolean;
  sort?: (typeof SORT_CHOICES)[number];
  limit?: number;
  page?: number;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

/**
 * `todo list`: pending tasks by default, as an aligned table with a summary line, or the API's
 * `{data, meta}` body with `--json`.
 */
export function registerListCommand(program: Command): void {
  withCommonOptions(
    program
      .command("list")
      .alias("ls")
      .description("list your tasks (pending ones unless --done or --all)")
      .addOption(
        new Option("--pending", "only pending tasks (the default)").conflicts(["done", "all"]),
      )
      .addOption(new Option("--done", "only completed tasks").conflicts(["all"]))
      .option("--all", "pending and completed tasks")
      .option("-t, --tag <tag>", "only tasks with this tag (repeat: all must match)", collect)
      .option("-s, --search <query>", "only tasks whose title or description contains this text")
      .addOption(
        new Option("-p, --priority <priority>", "only tasks of this priority").choices(
          PRIORITY_CHOICES,
        ),
      )
      .option("--overdue", "only pending tasks whose due date has passed")
      .addOption(
        new Option("--sort <field>", "sort order; a leading - sorts descending")
          .choices(SORT_CHOICES)
          .default("createdAt"),
      )
      .option("--limit <n>", "tasks per page, 1-100", integer(1, 100), 20)
      .option("--page <n>", "page number", integer(1, 1_000_000), 1),
  ).action(async (options: ListOptions) => {
    const [{ withContext }, { renderSummary, renderTaskTable }, { toIsoDate }] = await Promise.all([
      import("../context.js"),
      import("../format.js"),
      import("../dates.js"),
    ]);
    await withContext(options, async (context) => {
      context.requireLogin();
      const status = options.all ? "all" : options.done ? "completed" : "pending";
      const list = await context.client.listTasks({
        status,
        ...(options.tag ? { tag: options.tag } : {}),
        ...(options.search ? { q: options.search } : {}),
        ...(options.priority ? { priority: options.priority } : {}),
        ...(options.overdue ? { overdue: "true" as const } : {}),
        ...(options.sort ? { sort: options.sort } : {}),
        limit: options.limit,
        page: options.page,
      });
      if (context.output.json) {
        context.output.printJson(list);
        return;
      }
      const today = toIsoDate(new Date());
      const label = options.overdue
        ? "overdue"
        : status === "all"
          ? ""
          : status === "completed"
            ? "completed"
            : "pending";
      if (list.data.length === 0) {
        const total = list.meta.total ?? 0;
        context.output.message(
          total > 0
            ? `No tasks on page ${options.page}; there are ${list.meta.totalPages} page(s).`
            : `No ${label ? `${label} ` : ""}tasks${options.tag || options.search || options.priority ? " match" : ""}; add one with \`todo add <title>\`.`,
        );
        return;
      }
      context.output.message(renderTaskTable(list.data, context.output, today));
      context.output.message(
        context.output.paint("dim", renderSummary(list.data, list.meta, label, today)),
      );
    });
  });
}
