import type { Command } from "commander";
import { commandAction } from "../action.js";
import { describeError, toStoredSession } from "../context.js";
import { AuthRequiredError, UsageError } from "../errors.js";
import type { CommonOptionValues } from "../options.js";
import { readAllStdin, readPassword, readText } from "../prompt.js";
import { printable } from "../text.js";

interface LoginOptions extends CommonOptionValues {
  email?: string;
  withToken?: boolean;
}

/**
 * `todo login [--email E] [--with-token]`: logs in with email and password (hidden prompt, or the
 * first line of stdin), or stores an access token read from stdin, and saves the session.
 */
export function registerLoginCommand(program: Command): void {
  program
    .command("login")
    .description(
      "log in and store the session (password: hidden prompt, or the first line of stdin)",
    )
    .option("--email <email>", "your email address (asked for on a terminal)")
    .option("--with-token", "read an access token from stdin instead of asking for a password")
    .addHelpText(
      "after",
      "\nExamples:\n  $ todo login --email you@example.com\n  $ printf '%s\\n' \"$PASSWORD\" | todo login --email you@example.com\n  $ todo login --with-token < token.txt\n\n--json prints the user.",
    )
    .action(
      commandAction("api", async (context, options: LoginOptions) => {
        if (options.withToken) {
          if (options.email) throw new UsageError("Use either --email or --with-token, not both.");
          const token = await readAllStdin();
          if (!token)
            throw new UsageError(
              "No token on stdin; pipe one in, such as `todo login --with-token < token.txt`.",
            );
          const user = await context
            .clientFor(token)
            .me()
            .catch((error: unknown) => {
              const failure = describeError(error, context);
              throw failure instanceof AuthRequiredError
                ? new AuthRequiredError(
                    `The API at ${context.apiUrl} refused that token (expired, revoked or not for this API); get a fresh one.`,
                  )
                : failure;
            });
          await context.store.saveSession(context.apiUrl, {
            accessToken: token,
            refreshToken: null,
            user: { id: user.id, email: user.email, name: user.name },
          });
          if (context.output.json) context.output.printJson(user);
          else
            context.output.message(
              `Logged in to ${context.apiUrl} as ${printable(user.email)} with a token (it will not be refreshed; log in again when it expires).`,
            );
          return;
        }
        const email = options.email ?? (await readText({ message: "Email:", option: "--email" }));
        const password = await readPassword();
        const session = await context.client.login({ email: email.trim(), password });
        await context.store.saveSession(context.apiUrl, toStoredSession(session));
        if (context.output.json) context.output.printJson(session.user);
        else
          context.output.message(
            `Logged in to ${context.apiUrl} as ${printable(session.user.email)}.`,
          );
      }),
    );
}
