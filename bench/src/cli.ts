import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Wall time of one command over repeated runs, in milliseconds. */
export interface CommandTiming {
  readonly name: string;
  readonly command: string[];
  readonly runs: number;
  readonly median: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** A command to time: argv (argv[0] is run as is, without a shell). */
export interface TimedCommand {
  readonly name: string;
  readonly argv: string[];
}

/**
 * Times each command `runs` times after `warmup` runs, interleaved by hyperfine when it is
 * installed (Debian `hyperfine`), else by a spawn loop that alternates the commands. Every command
 * must exit 0 once before timing.
 * @throws {Error} naming the command and its stderr when it fails.
 */
export function timeCommands(
  commands: TimedCommand[],
  options: { runs: number; warmup: number; env: Record<string, string>; cwd: string },
): { tool: string; timings: CommandTiming[] } {
  const env = { ...process.env, ...options.env };
  for (const command of commands) {
    const check = spawnSync(command.argv[0]!, command.argv.slice(1), {
      env,
      cwd: options.cwd,
      encoding: "utf8",
    });
    if (check.status !== 0) {
      throw new Error(
        `${command.name} (${command.argv.join(" ")}) exited ${check.status}: ${(check.stderr || check.stdout).trim()}`,
      );
    }
  }
  const hyperfine = spawnSync("hyperfine", ["--version"], { encoding: "utf8" });
  if (hyperfine.status === 0)
    return { tool: hyperfine.stdout.trim(), timings: viaHyperfine(commands, options, env) };
  return { tool: "spawn loop", timings: viaSpawnLoop(commands, options, env) };
}

function viaHyperfine(
  commands: TimedCommand[],
  options: { runs: number; warmup: number; cwd: string },
  env: NodeJS.ProcessEnv,
): CommandTiming[] {
  const dir = mkdtempSync(join(tmpdir(), "todo-bench-hyperfine-"));
  try {
    const out = join(dir, "result.json");
    const quoted = commands.map((command) => command.argv.map(shellWord).join(" "));
    const result = spawnSync(
      "hyperfine",
      [
        "-N",
        "--style",
        "none",
        "--runs",
        String(options.runs),
        "--warmup",
        String(options.warmup),
        "--export-json",
        out,
        ...quoted,
      ],
      { env, cwd: options.cwd, encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`hyperfine failed: ${result.stderr}`);
    const parsed = JSON.parse(readFileSync(out, "utf8")) as { results: { times: number[] }[] };
    return commands.map((command, index) =>
      summarise(
        command,
        parsed.results[index]!.times.map((s) => s * 1000),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function viaSpawnLoop(
  commands: TimedCommand[],
  options: { runs: number; warmup: number; cwd: string },
  env: NodeJS.ProcessEnv,
): CommandTiming[] {
  const times: number[][] = commands.map(() => []);
  for (let run = 0; run < options.warmup + options.runs; run++) {
    commands.forEach((command, index) => {
      const started = performance.now();
      spawnSync(command.argv[0]!, command.argv.slice(1), {
        env,
        cwd: options.cwd,
        stdio: "ignore",
      });
      if (run >= options.warmup) times[index]!.push(performance.now() - started);
    });
  }
  return commands.map((command, index) => summarise(command, times[index]!));
}

function summarise(command: TimedCommand, times: number[]): CommandTiming {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    name: command.name,
    command: command.argv,
    runs: times.length,
    median: round(median(sorted)),
    mean: round(times.reduce((sum, value) => sum + value, 0) / times.length),
    min: round(sorted[0] ?? NaN),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** The median of numbers (any order). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Quotes an argument for hyperfine's shell-words splitting (it runs commands without a shell). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
