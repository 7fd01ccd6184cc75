/**
 * How tasks read on a terminal: the aligned `list` table (and the trash's), the one-line summary
 * under it, and the `show` card. Widths are display widths, so emoji and CJK titles stay aligned:
 * fast-string-truncated-width, whose regular expressions load in about a millisecond, where
 * string-width's Intl.Segmenter costs a run ~25 ms. Every text that came from the API goes
 * through {@link printable}. Titles are cut only to fit a terminal's real width; output to a pipe
 * or a file keeps them whole.
 */
import getStringTruncatedWidth from "fast-string-truncated-width";
import type { Task, TaskListMeta } from "@todo/contract";
import { toLocalMinute } from "./dates.js";
import type { Output, Style } from "./output.js";
import { printable } from "./text.js";

/** True when `task` is pending and its due date is before `today` (`YYYY-MM-DD`). */
export function isOverdue(task: Task, today: string): boolean {
  return !task.completed && task.dueDate !== null && task.dueDate < today;
}

function status(task: Task, today: string): string {
  if (task.completed) return "done";
  return isOverdue(task, today) ? "overdue" : "pending";
}

const PRIORITY_STYLE = { high: "red", medium: "yellow", low: "blue", none: "dim" } as const;

/** The narrowest a title (or the tags) is cut to, however narrow the terminal. */
const MIN_CUT_WIDTH = 10;

/** The number of terminal columns `text` takes: one a character for printable ASCII. */
function widthOf(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  return getStringTruncatedWidth(text, { limit: Infinity, ellipsis: "" }).width;
}

/** `text` cut to `width` terminal columns, ending in an ellipsis when cut. */
function truncate(text: string, width: number): string {
  if (widthOf(text) <= width) return text;
  // The ellipsis' width is given: measuring "…" would compile the library's emoji expressions.
  const fit = getStringTruncatedWidth(text, { limit: width, ellipsis: "…", ellipsisWidth: 1 });
  return `${text.slice(0, fit.index)}…`;
}

type Cell = [text: string, style: Style | undefined];

interface Column {
  header: string;
  cell(task: Task): Cell;
  /** Columns cut to fit the terminal, first listed first. */
  cutOrder?: number;
}

function tagsOf(task: Task): string {
  return task.tags.map((tag) => `#${printable(tag)}`).join(" ");
}

/** A task's project as the PROJECT column shows it: its name, or `Inbox` for none. */
function projectOf(task: Task, projects: ReadonlyMap<number, string>): Cell {
  if (task.projectId === null) return ["Inbox", "dim"];
  return [printable(projects.get(task.projectId) ?? `#${task.projectId}`), "magenta"];
}

function taskColumns(
  today: string,
  trash: boolean,
  projects: ReadonlyMap<number, string> | undefined,
): Column[] {
  return [
    { header: "ID", cell: (task) => [String(task.id), "dim"] },
    ...(trash
      ? [
          {
            header: "REMOVED",
            cell: (task: Task): Cell => [
              task.deletedAt ? toLocalMinute(task.deletedAt) : "-",
              "dim",
            ],
          },
        ]
      : []),
    {
      header: "STATUS",
      cell: (task) => [
        status(task, today),
        task.completed ? "green" : isOverdue(task, today) ? "red" : undefined,
      ],
    },
    {
      header: "PRI",
      cell: (task) => [
        task.priority === "none" ? "-" : task.priority,
        PRIORITY_STYLE[task.priority],
      ],
    },
    {
      header: "DUE",
      cell: (task) => [
        task.dueDate ?? "-",
        isOverdue(task, today) ? "red" : task.dueDate ? undefined : "dim",
      ],
    },
    ...(projects
      ? [{ header: "PROJECT", cell: (task: Task) => projectOf(task, projects), cutOrder: 3 }]
      : []),
    {
      header: "TITLE",
      cell: (task) => [printable(task.title), task.completed ? "dim" : undefined],
      cutOrder: 1,
    },
    { header: "TAGS", cell: (task) => [tagsOf(task), "cyan"], cutOrder: 2 },
  ];
}

/**
 * Column widths: each the widest cell; on a terminal narrower than the table, the cut columns
 * (title, then tags) give up width down to {@link MIN_CUT_WIDTH}.
 */
function fitWidths(columns: Column[], rows: Cell[][], terminalColumns: number | undefined) {
  const widths = columns.map((column, index) =>
    Math.max(widthOf(column.header), ...rows.map((row) => widthOf(row[index]![0]))),
  );
  if (terminalColumns === undefined) return widths;
  const gaps = 2 * (columns.length - 1);
  const cuttable = columns
    .map((column, index) => ({ order: column.cutOrder, index }))
    .filter((entry) => entry.order !== undefined)
    .sort((a, b) => a.order! - b.order!);
  for (const { index } of cuttable) {
    const total = widths.reduce((sum, width) => sum + width, gaps);
    const excess = total - terminalColumns;
    if (excess <= 0) break;
    widths[index] = Math.max(Math.min(widths[index]!, MIN_CUT_WIDTH), widths[index]! - excess);
  }
  return widths;
}

function renderTable(columns: Column[], tasks: readonly Task[], output: Output): string {
  const cells = tasks.map((task) => columns.map((column) => column.cell(task)));
  const widths = fitWidths(columns, cells, output.columns);
  const last = columns.length - 1;
  const line = (row: Cell[]) =>
    row
      .map(([text, style], column) => {
        const fitted = truncate(text, widths[column]!);
        const padded =
          column === last ? fitted : fitted + " ".repeat(widths[column]! - widthOf(fitted));
        return style ? output.paint(style, padded) : padded;
      })
      .join("  ")
      .trimEnd();
  return [
    line(columns.map((column): Cell => [column.header, "bold"])),
    ...cells.map((row) => line(row)),
  ].join("\n");
}

/**
 * The `list` table: ID, STATUS, PRI, DUE, TITLE, TAGS, one row per task, columns padded to the
 * widest cell. Overdue tasks say `overdue` in STATUS (and are red when colour is on). With
 * `trash`, a REMOVED column (local time) follows the ID; with `projects` (project names by id), a
 * PROJECT column (`Inbox` for tasks in none) precedes the TITLE.
 */
export function renderTaskTable(
  tasks: readonly Task[],
  output: Output,
  today: string,
  options: { trash?: boolean; projects?: ReadonlyMap<number, string> } = {},
): string {
  return renderTable(taskColumns(today, Boolean(options.trash), options.projects), tasks, output);
}

/**
 * The line under the table, such as `3 pending tasks, 1 overdue.` or
 * `Showing 21–40 of 45 tasks (page 2 of 3); --page 3 for more.`; `hint` is added before the
 * full stop (`restore one with \`todo restore <id>\``).
 */
export function renderSummary(
  tasks: readonly Task[],
  meta: TaskListMeta,
  label: string,
  today: string,
  hint?: string,
): string {
  const total = meta.total ?? tasks.length;
  const noun = `${label}${label ? " " : ""}task${total === 1 ? "" : "s"}`;
  const overdue = tasks.filter((task) => isOverdue(task, today)).length;
  const overdueText = overdue
    ? `, ${overdue} overdue${(meta.totalPages ?? 1) > 1 ? " on this page" : ""}`
    : "";
  const hintText = hint ? `; ${hint}` : "";
  if ((meta.totalPages ?? 1) <= 1 || meta.page === undefined)
    return `${total} ${noun}${overdueText}${hintText}.`;
  const first = (meta.page - 1) * meta.limit + 1;
  const last = first + tasks.length - 1;
  const range = tasks.length ? `${first}–${last}` : "none";
  const next = meta.page < (meta.totalPages ?? 1) ? `; --page ${meta.page + 1} for more` : "";
  return `Showing ${range} of ${total} ${noun} (page ${meta.page} of ${meta.totalPages})${overdueText}${next}${hintText}.`;
}

/** The `show` card: title line, then one labelled line per field, then the description. */
export function renderTask(task: Task, output: Output, today: string): string {
  const label = (text: string) => output.paint("dim", text.padEnd(12));
  const lines = [
    `${output.paint("bold", `#${task.id}`)}  ${output.paint("bold", printable(task.title))}`,
    `${label("Status")}${status(task, today)}${task.completedAt ? ` (${task.completedAt})` : ""}`,
    `${label("Priority")}${task.priority}`,
    `${label("Due")}${task.dueDate ?? "-"}`,
    ...(task.recurrenceText ? [`${label("Repeats")}${printable(task.recurrenceText)}`] : []),
    `${label("Tags")}${task.tags.length ? tagsOf(task) : "-"}`,
    `${label("Created")}${task.createdAt}`,
    `${label("Updated")}${task.updatedAt} (version ${task.version})`,
  ];
  if (task.deletedAt)
    lines.push(`${label("Removed")}${task.deletedAt} (undo with \`todo restore ${task.id}\`)`);
  if (task.description) lines.push("", printable(task.description, { multiline: true }));
  return lines.join("\n");
}

/** A one-line description of a task for confirmations: `task 3 "Buy milk"`. */
export function taskLabel(task: Pick<Task, "id" | "title">): string {
  return `task ${task.id} "${printable(task.title)}"`;
}
