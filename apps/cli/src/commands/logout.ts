import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

/** `todo logout`: revokes the session on the server and removes the stored credentials. */
export function registerLogoutCommand(program: Command): void {
  withCommonOptions(
    program
      .command("logout")
      .description("revoke the session on the server and forget it on this machine"),
  ).action(async (options: CommonOptionValues) => {
    const [{ withContext }, { NetworkError, ApiError }] = await Promise.all([
      import("../context.js"),
      import("@todo/client"),
    ]);
    await withContext(options, async (context) => {
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
        output.message(`Logged out of ${apiUrl}${stored.user ? ` (${stored.user.email})` : ""}.`);
    });
  });
}
