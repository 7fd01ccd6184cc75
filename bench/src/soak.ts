// `pnpm bench --soak`: the API under a mixed load at saturation (bench/lua/soak.lua), one wrk run
// per minute so that each minute has its own p99, with the API's memory sampled between them.
import type { Running } from "./servers.js";
import { runWrk, type LoadResult } from "./wrk.js";

/** One minute of the soak. */
export interface SoakMinute {
  readonly minute: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Responses by HTTP status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** wrk's socket errors and timeouts (connect, read, write, timeout). */
  readonly socketErrors: number;
  /** API VmRSS at the end of the minute, MiB. */
  readonly rssMiB: number;
}

/** The whole soak. Latencies in milliseconds. */
export interface SoakResult {
  readonly seconds: number;
  readonly connections: number;
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
  readonly requests: number;
  /** Responses with a 5xx status over the whole soak (must be 0). */
  readonly serverErrors: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly minutes: SoakMinute[];
}

/**
 * Runs the soak against `api` for `minutes` one-minute wrk runs at `connections` connections,
 * spreading requests over the users of `usersFile` (tasks 1…`tasksPerUser` each).
 */
export async function runSoak(options: {
  api: Running;
  usersFile: string;
  tasksPerUser: number;
  minutes: number;
  connections: number;
  log: (message: string) => void;
}): Promise<SoakResult> {
  const { api } = options;
  const rssStartMiB = api.rssMiB();
  const minutes: SoakMinute[] = [];
  const statuses: Record<string, number> = {};
  for (let minute = 1; minute <= options.minutes; minute++) {
    const result: LoadResult = await runWrk({
      baseUrl: api.url,
      scenario: "soak",
      usersFile: options.usersFile,
      arg: String(options.tasksPerUser),
      connections: options.connections,
      seconds: 60,
    });
    const counts = result.statuses ?? {};
    for (const [status, count] of Object.entries(counts))
      statuses[status] = (statuses[status] ?? 0) + count;
    const { connect, read, write, timeout } = result.errors;
    const row: SoakMinute = {
      minute,
      requests: result.requests,
      rps: Math.round(result.rps),
      p50: result.p50,
      p99: result.p99,
      max: result.max,
      statuses: counts,
      socketErrors: connect + read + write + timeout,
      rssMiB: api.rssMiB(),
    };
    minutes.push(row);
    options.log(
      `  minute ${minute}: ${row.rps} req/s, p99 ${row.p99} ms, statuses ${JSON.stringify(counts)}, RSS ${row.rssMiB} MiB`,
    );
  }
  return {
    seconds: options.minutes * 60,
    connections: options.connections,
    rssStartMiB,
    rssEndMiB: api.rssMiB(),
    requests: minutes.reduce((sum, row) => sum + row.requests, 0),
    serverErrors: Object.entries(statuses)
      .filter(([status]) => status.startsWith("5"))
      .reduce((sum, [, count]) => sum + count, 0),
    statuses,
    minutes,
  };
}
