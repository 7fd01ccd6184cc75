import type { Command } from "commander";
import { commandAction } from "../action.js";
import { UsageError } from "../errors.js";
import type { CommonOptionValues } from "../options.js";
import { printable } from "../text.js";
import { localTimeZone } from "../zone.js";

interface TimezoneOptions extends CommonOptionValues {
  local?: boolean;
}

/**
 * `todo timezone [zone]`: shows the time zone the API computes "today", overdue and recurrence
 * in, or sets it (an IANA name such as Europe/Berlin, or `--local` for this machine's zone).
 */
export function registerTimezoneCommand(program: Command): void {
  program
    .command("timezone")
    .description("show or set your time zone (today, overdue and recurrence follow it)")
    .argument("[zone]", "an IANA time zone such as Europe/Berlin, America/New_York or UTC")
    .option("--local", "set this machine's time zone")
    .addHelpText("after", "\n--json prints the user.")
    .action(
      commandAction("login", async (context, options: TimezoneOptions, zone?: string) => {
        if (zone !== undefined && options.local)
          throw new UsageError("Pass a time zone or --local, not both.");
        const asked = options.local ? localTimeZone() : zone;
        const user =
          asked === undefined
            ? await context.client.me()
            : await context.client.updateMe({ timeZone: asked });
        if (context.output.json) context.output.printJson(user);
        else if (asked === undefined)
          context.output.message(`Your time zone is ${printable(user.timeZone)}.`);
        else context.output.message(`Your time zone is now ${printable(user.timeZone)}.`);
      }),
    );
}
