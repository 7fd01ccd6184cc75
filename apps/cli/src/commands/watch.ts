import type { LiveEvent } from "@todo/contract";
import type { Command } from "commander";
import { commandAction } from "../action.js";
import type { CommonOptionValues } from "../options.js";
import type { Output } from "../output.js";
import { printable } from "../text.js";

/** `todo watch`: prints changes to your tasks and projects as they happen, until interrupted. */
export function registerWatchCommand(program: Command): void {
  program
    .command("watch")
    .description("print changes to your tasks and projects as they happen (Ctrl-C to stop)")
    .addHelpText(
      "after",
      `
Changes made anywhere (another terminal, the web, another device) appear as they are saved. A
dropped connection is reopened and resumes where it stopped, missing nothing.

--json prints one JSON object per line and per change: {"type", "id", "data"}, where data is the
task or project as it now is, or {"id", "deleted": true}.`,
    )
    .action(
      commandAction("login", async (context, _options: CommonOptionValues) => {
        const { output } = context;
        const stop = new AbortController();
        const interrupted = () => stop.abort();
        process.once("SIGINT", interrupted);
        process.once("SIGTERM", interrupted);
        let opened = false;
        let lost = false;
        try {
          await context.client.subscribe(
            (event) => {
              if (output.json) process.stdout.write(`${JSON.stringify(event)}\n`);
              else output.message(describe(event, output));
            },
            {
              signal: stop.signal,
              onOpen() {
                if (!opened) output.warn(`Watching ${context.apiUrl} for changes; Ctrl-C to stop.`);
                else if (lost) output.warn("Reconnected; nothing was missed.");
                opened = true;
                lost = false;
              },
              onDisconnect() {
                if (!lost) output.warn("Connection lost; reconnecting…");
                lost = true;
              },
            },
          );
        } finally {
          process.removeListener("SIGINT", interrupted);
          process.removeListener("SIGTERM", interrupted);
        }
      }),
    );
}

const VERBS: Record<string, string> = {
  created: "added",
  updated: "changed",
  deleted: "removed",
  restored: "restored",
};

/**
 * `12:03:04  changed  task 3 "Buy milk" (done)`: the local time, what happened and to what, as
 * it now is.
 */
function describe(event: LiveEvent, output: Output): string {
  const [kind = "task", what = "updated"] = event.type.split(".");
  const data = event.data;
  const name =
    "title" in data
      ? ` "${printable(data.title)}"`
      : "name" in data
        ? ` "${printable(data.name)}"`
        : "";
  const verb = VERBS[what] ?? what;
  const done = what !== "deleted" && "completed" in data && data.completed ? " (done)" : "";
  const time = new Date().toTimeString().slice(0, 8);
  return `${output.paint("dim", time)}  ${verb.padEnd(8)} ${kind} ${data.id}${name}${done}`;
}
