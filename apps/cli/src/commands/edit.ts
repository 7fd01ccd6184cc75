import { Option, type Command } from "commander";
import {
  PRIORITY_CHOICES,
  collect,
  withCommonOptions,
  type CommonOptionValues,
} from "../options.js";

interface EditOptions extends CommonOptionValues {
  title?: string;
  description?: string;
  /** A date string, or `false` for `--no-due`. */
  due?: string | false;
  priority?: (typeof PRIORITY_CHOICES)[number];
  tag?: string[];
  untag?: string[];
}

/**
 * `todo edit <id>`: changes some fields of a task with one PATCH. Tag changes read the task first
 * and send `If-Match`, so a concurrent edit is never overwritten (retried once on 412).
 */
export function registerEditCommand(program: Command): void {
  withCommonOptions(
    program
      .command("edit")
      .description("change a task's title, description, due date, priority or tags")
      .argument("<id>", "task number")
      .option("--title <title>", "a new title")
      .option("-d, --description <text>", 'a new description ("" clears it)')
      .option("--due <date>", "a new due date: YYYY-MM-DD, today, tomorrow, a weekday, +3d")
      .option("--no-due", "remove the due date")
      .addOption(
        new Option("-p, --priority <priority>", "a new priority").choices(PRIORITY_CHOICES),
      )
      .option("-t, --tag <tag>", "add a tag (repeat for several)", collect)
      .option("--untag <tag>", "remove a tag (repeat for several)", collect),
  ).action(async (rawId: string, options: EditOptions) => {
    const [
      { withContext },
      { parseTaskId, onTask },
      { parseDueDate },
      { TaskUpdate },
      { UsageError },
      { ApiError },
      { taskLabel },
    ] = await Promise.all([
      import("../context.js"),
      import("../tasks.js"),
      import("../dates.js"),
      import("@todo/contract"),
      import("../errors.js"),
      import("@todo/client"),
      import("../format.js"),
    ]);
    const id = parseTaskId(rawId);
    const patch = {
      ...(options.title !== undefined ? { title: options.title } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.due === false
        ? { dueDate: null }
        : options.due !== undefined
          ? { dueDate: parseDueDate(options.due) }
          : {}),
      ...(options.priority ? { priority: options.priority } : {}),
    };
    const changesTags = Boolean(options.tag?.length || options.untag?.length);
    if (Object.keys(patch).length === 0 && !changesTags) {
      throw new UsageError(
        "Nothing to change; pass --title, -d, --due, --no-due, -p, -t or --untag.",
      );
    }
    const check = TaskUpdate.safeParse({ ...patch, ...(options.tag ? { tags: options.tag } : {}) });
    if (!check.success) {
      const issue = check.error.issues[0];
      throw new UsageError(
        `The ${issue?.path.join(".") || "change"} ${issue?.message ?? "is invalid"}; nothing was changed.`,
      );
    }
    await withContext(options, async (context) => {
      context.requireLogin();
      const update = async () => {
        if (!changesTags) return context.client.updateTask(id, patch);
        const current = await context.client.getTask(id);
        const remove = new Set((options.untag ?? []).map((tag) => tag.trim().toLowerCase()));
        const tags = [
          ...new Set([
            ...current.tags,
            ...(options.tag ?? []).map((tag) => tag.trim().toLowerCase()),
          ]),
        ].filter((tag) => !remove.has(tag));
        return context.client.updateTask(id, { ...patch, tags }, { ifMatch: current.version });
      };
      const task = await onTask(id, () =>
        update().catch((error: unknown) => {
          if (error instanceof ApiError && error.code === "precondition_failed") return update();
          throw error;
        }),
      );
      if (context.output.json) context.output.printJson(task);
      else context.output.message(`Updated ${taskLabel(task)}.`);
    });
  });
}
