import type { Command } from "commander";
import { commandAction } from "../action.js";
import type { CommonOptionValues } from "../options.js";
import { printable } from "../text.js";

/** `todo whoami`: the logged-in user, as the API knows it. */
export function registerWhoamiCommand(program: Command): void {
  program
    .command("whoami")
    .description("show who you are logged in as, and your time zone")
    .addHelpText("after", "\n--json prints the user.")
    .action(
      commandAction("login", async (context, _options: CommonOptionValues) => {
        const user = await context.client.me();
        if (context.output.json) {
          context.output.printJson(user);
          return;
        }
        context.output.message(
          `${printable(user.email)}${user.name ? ` (${printable(user.name)})` : ""} at ${context.apiUrl}, time zone ${printable(user.timeZone)}`,
        );
      }),
    );
}
