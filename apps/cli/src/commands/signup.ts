import type { Command } from "commander";
import { withCommonOptions, type CommonOptionValues } from "../options.js";

interface SignupOptions extends CommonOptionValues {
  email?: string;
  name?: string;
}

/** `todo signup [--email E] [--name N]`: creates an account, logs in and stores the session. */
export function registerSignupCommand(program: Command): void {
  withCommonOptions(
    program
      .command("signup")
      .description(
        "create an account and log in (password: hidden prompt, or the first line of stdin)",
      )
      .option("--email <email>", "your email address (asked for on a terminal)")
      .option("--name <name>", "your display name"),
  ).action(async (options: SignupOptions) => {
    const [
      { withContext, toStoredSession },
      { readPassword, readText, stdinIsTerminal },
      { SignupRequest },
      { UsageError },
    ] = await Promise.all([
      import("../context.js"),
      import("../prompt.js"),
      import("@todo/contract"),
      import("../errors.js"),
    ]);
    await withContext(options, async (context) => {
      const email = options.email ?? (await readText({ message: "Email:", option: "--email" }));
      const password = await readPassword({
        message: "Choose a password (8+ characters):",
        confirm: stdinIsTerminal(),
      });
      const input = SignupRequest.safeParse({
        email,
        password,
        ...(options.name ? { name: options.name } : {}),
      });
      if (!input.success) {
        const issue = input.error.issues[0];
        throw new UsageError(
          `The ${String(issue?.path[0] ?? "input")} ${issue?.message ?? "is invalid"}; run \`todo signup\` again.`,
        );
      }
      const session = await context.client.signup(input.data);
      await context.store.saveSession(context.apiUrl, toStoredSession(session));
      if (context.output.json) context.output.printJson(session.user);
      else
        context.output.message(
          `Signed up and logged in to ${context.apiUrl} as ${session.user.email}.`,
        );
    });
  });
}
