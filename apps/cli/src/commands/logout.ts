import type { Command } from "commander";
import { ApiError, NetworkError } from "@todo/client";
import { commandAction } from "../action.js";
import type { CommonOptionValues } from "../options.js";
import { printable } from "../text.js";

/** `todo logout`: revokes the session on the server and removes the stored credentials. */
export function registerLogoutCommand(program: Command): void {
  program
    .command("logout")
    .description("revoke the session on the server and forget it on this machine")
    .addHelpText("after", "\n--json prints {loggedOut, apiUrl}.")
    .action(
      commandAction("api", async (context, _options: CommonOptionValues) => {
        const { stored, output, apiUrl } = context;
        if (!stored) {
          output.warn(
            context.tokenSource === "env"
              ? "You are using TODO_TOKEN; unset it to log out."
              : `You are not logged in to ${apiUrl}; nothing to do.`,
          );
          if (output.json) output.printJson({ loggedOut: false, apiUrl });
          return;
        }
        if (stored.refreshToken) {
          try {
            await context.client.logout(stored.refreshToken);
          } catch (error) {
            // Forget the session locally either way; the user asked to be logged out here.
            if (error instanceof NetworkError) {
              output.warn(
                `Could not reach ${apiUrl} to revoke the session; it was removed from this machine and expires on its own.`,
              );
            } else if (!(error instanceof ApiError && error.status === 401)) {
              throw error;
            }
          }
        }
        await context.store.removeSession(apiUrl);
        if (output.json) output.printJson({ loggedOut: true, apiUrl });
        else
          output.message(
            `Logged out of ${apiUrl}${stored.user ? ` (${printable(stored.user.email)})` : ""}.`,
          );
      }),
    );
}
