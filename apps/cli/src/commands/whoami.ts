import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo whoami`: the logged-in user, as the API knows it. */
export function registerWhoamiCommand(program: Command): void {
  withCommonOptions(program.command("whoami").description("show who you are logged in as")).action(
    async (options: CommonOptionValues) => {
      const { withContext } = await import("../context.js");
      await withContext(options, async (context) => {
        context.requireLogin();
        const user = await context.client.me();
        if (context.output.json) context.output.printJson(user);
        else
          context.output.message(
            `${user.email}${user.name ? ` (${user.name})` : ""} at ${context.apiUrl}`,
          );
      });
    },
  );
}
