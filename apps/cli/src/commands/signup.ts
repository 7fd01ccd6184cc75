import type { Command } from "commander";
import { commandAction } from "../action.js";
import { toStoredSession } from "../context.js";
import { fieldProblems, invalidInput } from "../errors.js";
import type { CommonOptionValues } from "../options.js";
import { readPassword, readText } from "../prompt.js";
import { printable } from "../text.js";
import { localTimeZone } from "../zone.js";

interface SignupOptions extends CommonOptionValues {
  email?: string;
  name?: string;
}

/**
 * `todo signup [--email E] [--name N]`: creates an account in this machine's time zone, logs in
 * and stores the session. On a
 * terminal, an email or password the contract refuses is said at once and asked again.
 */
export function registerSignupCommand(program: Command): void {
  program
    .command("signup")
    .description(
      "create an account and log in (password: hidden prompt, or the first line of stdin)",
    )
    .option("--email <email>", "your email address (asked for on a terminal)")
    .option("--name <name>", "your display name")
    .addHelpText("after", "\n--json prints the user.")
    .action(
      commandAction("api", async (context, options: SignupOptions) => {
        // The contract is zod: loaded only by the commands that need it.
        const { SignupRequest } = await import("@todo/contract");
        const again = "run `todo signup` again";
        const fields = {
          email: SignupRequest.pick({ email: true }),
          password: SignupRequest.pick({ password: true }),
        };
        /** The contract's verdict on one field, as a sentence ending in `next`, or undefined. */
        const problemWith = (field: keyof typeof fields, value: string, next: string) => {
          const result = fields[field].safeParse({ [field]: value });
          return result.success
            ? undefined
            : invalidInput(fieldProblems(result.error.issues), next).message;
        };
        const email =
          options.email ??
          (await readText({
            message: "Email:",
            option: "--email",
            check: (text) => problemWith("email", text, "correct it"),
          }));
        const password = await readPassword({
          message: "Choose a password (8+ characters):",
          confirm: true,
          check: (text) => problemWith("password", text, "try again"),
        });
        const input = SignupRequest.safeParse({
          email,
          password,
          ...(options.name ? { name: options.name } : {}),
          // The machine's zone, so "today" on the server is the day on this machine's calendar.
          timeZone: localTimeZone(),
        });
        if (!input.success) throw invalidInput(fieldProblems(input.error.issues), again);
        const session = await context.client.signup(input.data);
        await context.store.saveSession(context.apiUrl, toStoredSession(session));
        if (context.output.json) context.output.printJson(session.user);
        else
          context.output.message(
            `Signed up and logged in to ${context.apiUrl} as ${printable(session.user.email)}.`,
          );
      }),
    );
}
