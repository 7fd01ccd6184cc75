/**
 * How tasks read on a terminal: the aligned `list` table, the one-line summary under it, and the
 * `show` card. Widths are display widths (string-width), so emoji and CJK titles stay aligned.
 */
import stringWidth from "string-width";
import type { Task, TaskListMeta } from "@todo/contract";
import type { Output } from "./output.js";

/** True when `task` is pending and its due date is before `today` (`YYYY-MM-DD`). */
export function isOverdue(task: Task, today: string): boolean {
  return !task.completed && task.dueDate !== null && task.dueDate < today;
}

function status(task: Task, today: string): string {
  if (task.completed) return "done";
  return isOverdue(task, today) ? "overdue" : "pending";
}

const PRIORITY_STYLE = { high: "red", medium: "yellow", low: "blue", none: "dim" } as const;

/** Truncates `text` to `width` display columns with an ellipsis. */
function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = "";
  for (const char of text) {
    if (stringWidth(out + char) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

/**
 * The `list` table: ID, STATUS, PRI, DUE, TITLE, TAGS, one row per task, columns padded to the
 * widest cell. Overdue tasks say `overdue` in STATUS (and are red when colour is on).
 */
export function renderTaskTable(tasks: readonly Task[], output: Output, today: string): string {
  const headers = ["ID", "STATUS", "PRI", "DUE", "TITLE", "TAGS"];
  const rows = tasks.map((task) => {
    const overdue = isOverdue(task, today);
    const cells: Array<[string, Parameters<Output["paint"]>[0] | undefined]> = [
      [String(task.id), "dim"],
      [status(task, today), task.completed ? "green" : overdue ? "red" : undefined],
      [task.priority === "none" ? "-" : task.priority, PRIORITY_STYLE[task.priority]],
      [task.dueDate ?? "-", overdue ? "red" : task.dueDate ? undefined : "dim"],
      [truncate(task.title, 60), task.completed ? "dim" : undefined],
      [task.tags.map((tag) => `#${tag}`).join(" "), "cyan"],
    ];
    return cells;
  });
  const widths = headers.map((header, column) =>
    Math.max(stringWidth(header), ...rows.map((row) => stringWidth(row[column]![0]))),
  );
  const pad = (text: string, column: number) =>
    text + " ".repeat(widths[column]! - stringWidth(text));
  const lines = [
    headers
      .map((header, column) => (column === headers.length - 1 ? header : pad(header, column)))
      .map((header) => output.paint("bold", header))
      .join("  ")
      .trimEnd(),
    ...rows.map((row) =>
      row
        .map(([text, style], column) => {
          const padded = column === row.length - 1 ? text : pad(text, column);
          return style ? output.paint(style, padded) : padded;
        })
        .join("  ")
        .trimEnd(),
    ),
  ];
  return lines.join("\n");
}

/**
 * The line under the table, such as `3 pending tasks, 1 overdue.` or
 * `Showing 21–40 of 45 tasks (page 2 of 3); next: todo list --page 3.`
 */
export function renderSummary(
  tasks: readonly Task[],
  meta: TaskListMeta,
  label: string,
  today: string,
): string {
  const total = meta.total ?? tasks.length;
  const noun = `${label}${label ? " " : ""}task${total === 1 ? "" : "s"}`;
  const overdue = tasks.filter((task) => isOverdue(task, today)).length;
  const overdueText = overdue
    ? `, ${overdue} overdue${(meta.totalPages ?? 1) > 1 ? " on this page" : ""}`
    : "";
  if ((meta.totalPages ?? 1) <= 1 || meta.page === undefined)
    return `${total} ${noun}${overdueText}.`;
  const first = (meta.page - 1) * meta.limit + 1;
  const last = first + tasks.length - 1;
  const range = tasks.length ? `${first}–${last}` : "none";
  const next = meta.page < (meta.totalPages ?? 1) ? `; --page ${meta.page + 1} for more` : "";
  return `Showing ${range} of ${total} ${noun} (page ${meta.page} of ${meta.totalPages})${overdueText}${next}.`;
}

/** The `show` card: title line, then one labelled line per field. */
export function renderTask(task: Task, output: Output, today: string): string {
  const label = (text: string) => output.paint("dim", text.padEnd(12));
  const lines = [
    `${output.paint("bold", `#${task.id}`)}  ${output.paint("bold", task.title)}`,
    `${label("Status")}${status(task, today)}${task.completedAt ? ` (${task.completedAt})` : ""}`,
    `${label("Priority")}${task.priority}`,
    `${label("Due")}${task.dueDate ?? "-"}`,
    `${label("Tags")}${task.tags.length ? task.tags.map((tag) => `#${tag}`).join(" ") : "-"}`,
    `${label("Created")}${task.createdAt}`,
    `${label("Updated")}${task.updatedAt} (version ${task.version})`,
  ];
  if (task.description) lines.push("", task.description);
  return lines.join("\n");
}

/** A one-line description of a task for confirmations: `task 3 "Buy milk"`. */
export function taskLabel(task: Task): string {
  return `task ${task.id} "${task.title}"`;
}
