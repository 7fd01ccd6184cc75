import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../lua/load.lua", import.meta.url));
const SOAK_SCRIPT = fileURLToPath(new URL("../lua/soak.lua", import.meta.url));

/** One wrk run: throughput, latency percentiles (milliseconds) and error counts. */
export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
  /** CPU time the server process used per request during the run, in microseconds (set by the caller). */
  readonly cpuUsPerRequest?: number;
  /** Non-2xx/3xx answers, socket errors and timeouts; a valid run has none. */
  readonly errors: {
    connect: number;
    read: number;
    write: number;
    status: number;
    timeout: number;
  };
  /** Soak runs only: how many responses had each HTTP status. */
  readonly statuses?: Readonly<Record<string, number>>;
}

/** What to load: a scenario of `bench/lua/load.lua` against `baseUrl`. */
export interface LoadSpec {
  readonly baseUrl: string;
  readonly scenario: "list" | "project" | "get" | "create" | "patch" | "login" | "path" | "soak";
  /** File of `<access token> <email>` lines. */
  readonly usersFile: string;
  /** get/patch/soak: highest task id; project: the project number to list; path: the request path. */
  readonly arg?: string;
  readonly connections: number;
  readonly seconds: number;
}

/**
 * Runs wrk (one thread: on two cores the generator should take as little CPU as it can) for
 * `spec.seconds` at `spec.connections` keep-alive connections.
 * @throws {Error} when wrk is missing or prints no result.
 */
export async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const args = [
    "-t1",
    `-c${spec.connections}`,
    `-d${spec.seconds}s`,
    "--timeout",
    "10s",
    "-s",
    spec.scenario === "soak" ? SOAK_SCRIPT : SCRIPT,
    spec.baseUrl,
  ];
  if (spec.scenario === "soak") args.push("--", spec.usersFile, spec.arg ?? "");
  else args.push("--", spec.scenario, spec.usersFile, spec.arg ?? "");
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}: ${out}`)),
    );
  });
  const line = output.split("\n").find((text) => text.startsWith("BENCH_JSON "));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const raw = JSON.parse(line.slice("BENCH_JSON ".length)) as {
    requests: number;
    durationUs: number;
    errors: LoadResult["errors"];
    latencyUs: { p50: number; p90: number; p99: number; mean: number; max: number };
    statuses?: Record<string, number>;
  };
  const seconds = raw.durationUs / 1e6;
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    requests: raw.requests,
    seconds,
    rps: raw.requests / seconds,
    p50: ms(raw.latencyUs.p50),
    p90: ms(raw.latencyUs.p90),
    p99: ms(raw.latencyUs.p99),
    mean: ms(raw.latencyUs.mean),
    max: ms(raw.latencyUs.max),
    errors: raw.errors,
    ...(raw.statuses ? { statuses: raw.statuses } : {}),
  };
}

/** Total errors of a run. */
export function errorCount(result: LoadResult): number {
  const { connect, read, write, status, timeout } = result.errors;
  return connect + read + write + status + timeout;
}
