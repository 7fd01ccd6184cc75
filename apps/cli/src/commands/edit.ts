import { Option, type Command } from "commander";
import type { Task, TaskUpdate } from "@todo/contract";
import { commandAction } from "../action.js";
import { DATE_EXAMPLES, readDueDate } from "../dates.js";
import { UsageError, fieldProblems, invalidInput } from "../errors.js";
import { taskLabel } from "../format.js";
import { PRIORITY_CHOICES, collect, type CommonOptionValues } from "../options.js";
import { readRecurrence, type RecurrenceOptions } from "../recurrence.js";
import { changeUnlessAlready, onTask, parseTaskId } from "../tasks.js";
import { printable } from "../text.js";

interface EditOptions extends CommonOptionValues, RecurrenceOptions {
  title?: string;
  description?: string;
  /** A date string, or `false` for `--no-due`. */
  due?: string | false;
  priority?: (typeof PRIORITY_CHOICES)[number];
  tag?: string[];
  untag?: string[];
}

/** The edit asked for, normalized as the API normalizes it (trimmed, lower-cased tags). */
interface Asked {
  fields: Omit<TaskUpdate, "tags">;
  tag: readonly string[];
  untag: readonly string[];
}

/** The PATCH that turns `task` into what was asked: only the fields that differ. */
function patchFor(task: Task, asked: Asked): TaskUpdate {
  const patch: TaskUpdate = {};
  for (const [field, value] of Object.entries(asked.fields) as [keyof Asked["fields"], unknown][])
    if (value !== undefined && value !== task[field]) Object.assign(patch, { [field]: value });
  const tags = [...new Set([...task.tags, ...asked.tag])].filter(
    (tag) => !asked.untag.includes(tag),
  );
  if (tags.join("\n") !== task.tags.join("\n")) patch.tags = tags;
  return patch;
}

/** Why asking for `asked` changes nothing on `task`, such as `it has no tag nosuch`. */
function whyUnchanged(task: Task, asked: Asked): string {
  const { title, description, dueDate, priority, recurrence } = asked.fields;
  const reasons = [
    title !== undefined && `its title is already "${printable(title)}"`,
    description !== undefined &&
      (description === null ? "it has no description" : "its description is already that"),
    dueDate !== undefined &&
      (dueDate === null ? "it has no due date" : `it is already due ${dueDate}`),
    priority !== undefined && `its priority is already ${priority}`,
    recurrence !== undefined &&
      (recurrence === null
        ? "it does not repeat"
        : `it already repeats ${printable(task.recurrenceText ?? recurrence)}`),
    ...asked.tag.map((tag) => `it already has tag ${printable(tag)}`),
    ...asked.untag.map((tag) => `it has no tag ${printable(tag)}`),
  ].filter((reason): reason is string => Boolean(reason));
  const last = reasons.pop();
  return reasons.length ? `${reasons.join(", ")} and ${last}` : (last ?? "");
}

/**
 * `todo edit <id>`: changes some fields of a task. It reads the task and sends only what differs,
 * with `If-Match` on the version read, so a concurrent edit is never overwritten (it reads again);
 * when nothing would change, it sends nothing and says why.
 */
export function registerEditCommand(program: Command): void {
  program
    .command("edit")
    .description("change a task's title, description, due date, recurrence, priority or tags")
    .argument("<id>", "task number")
    .option("--title <title>", "a new title")
    .option("-d, --description <text>", 'a new description ("" clears it)')
    .option("--due <date>", `a new due date: ${DATE_EXAMPLES}`)
    .option("--no-due", "remove the due date")
    .option("--every <phrase>", "repeat: day, weekday, monday, 2 weeks, month on the 15th, year…")
    .option("--recurrence <rule>", "repeat by an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO")
    .option("--no-recurrence", "stop repeating")
    .addOption(new Option("-p, --priority <priority>", "a new priority").choices(PRIORITY_CHOICES))
    .option("-t, --tag <tag>", "add a tag (repeat for several)", collect)
    .option("--untag <tag>", "remove a tag (repeat for several)", collect)
    .addHelpText("after", "\n--json prints the task, as it now is.")
    .action(
      commandAction("login", async (context, options: EditOptions, rawId: string) => {
        const id = parseTaskId(rawId);
        const requested = {
          title: options.title,
          description: options.description,
          dueDate:
            options.due === false
              ? null
              : options.due === undefined
                ? undefined
                : await readDueDate(options.due),
          priority: options.priority,
          recurrence: await readRecurrence(options),
        };
        if (
          Object.values(requested).every((value) => value === undefined) &&
          !options.tag &&
          !options.untag
        ) {
          throw new UsageError(
            "Nothing to change; pass --title, -d, --due, --no-due, --every, --recurrence, --no-recurrence, -p, -t or --untag.",
          );
        }
        // Normalized by the contract, as the API will, so "unchanged" is judged on the stored form.
        // The contract is zod: loaded only by the commands that need it.
        const { TaskUpdate } = await import("@todo/contract");
        const normalize = (input: TaskUpdate) => {
          const parsed = TaskUpdate.safeParse(input);
          if (!parsed.success) throw invalidInput(fieldProblems(parsed.error.issues));
          return parsed.data;
        };
        const { tags = [], ...fields } = normalize({ ...requested, tags: options.tag ?? [] });
        const asked: Asked = {
          fields,
          tag: tags,
          untag: normalize({ tags: options.untag }).tags ?? [],
        };
        const both = asked.tag.find((tag) => asked.untag.includes(tag));
        if (both !== undefined)
          throw new UsageError(
            `Tag ${printable(both)} is both added and removed; pass it to -t or to --untag, not both.`,
          );

        const { task, changed } = await onTask(id, () =>
          changeUnlessAlready(
            id,
            () => context.client.getTask(id),
            (current) => Object.keys(patchFor(current, asked)).length === 0,
            (current) =>
              context.client.updateTask(id, patchFor(current, asked), { ifMatch: current.version }),
          ),
        );
        if (context.output.json) context.output.printJson(task);
        else if (changed) context.output.message(`Updated ${taskLabel(task)}.`);
        else context.output.message(`Task ${task.id} is unchanged: ${whyUnchanged(task, asked)}.`);
      }),
    );
}
