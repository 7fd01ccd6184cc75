/**
 * The one wrapper for command actions, after Trigger.dev's `wrapCommandAction`: a command file
 * states what it needs and what it does; building the context and turning whatever goes wrong
 * into one sentence and an exit code happen here.
 */
import type { Command } from "commander";
import { createContext, describeError, type Context, type Needs } from "./context.js";
import type { CommonOptionValues } from "./options.js";

/**
 * Wraps a command body as a commander action. Commander calls an action with the command's
 * arguments, then its option values, then the command; the body receives the context and the
 * option values first, then the arguments.
 * @throws {CliError} for any failure: a `CliError` the body raised as it is, anything else (API,
 *   network, prompt) described by `describeError`. `main` prints it and exits with its code.
 */
export function commandAction<Options extends CommonOptionValues, Args extends unknown[] = []>(
  needs: Needs,
  body: (context: Context, options: Options, ...args: Args) => void | Promise<void>,
): (...received: unknown[]) => Promise<void> {
  return async (...received) => {
    const command = received.at(-1) as Command;
    const options = received.at(-2) as Options;
    const args = received.slice(0, -2) as Args;
    // The program's version, for the User-Agent (read here so the entry point's --version path
    // shares no code with the rest).
    const version = command.parent?.version() ?? "unknown";
    let context: Context | undefined;
    try {
      context = createContext(options, needs, version);
      await body(context, options, ...args);
    } catch (error) {
      throw describeError(error, context);
    }
  };
}
