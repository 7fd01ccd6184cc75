import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A server process the bench started: its URL, pid and log file. */
export interface Running {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly log: string;
  /** Resident set size now, in MiB (`VmRSS` of /proc/<pid>/status). */
  rssMiB(): number;
  /** CPU time used so far, in milliseconds. */
  cpuMs(): number;
  /** SIGTERM, then wait for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/**
 * Starts `node <nodeArgs…> <script>` with `env` (on top of the bench's own environment), logging
 * to `<logDir>/<name>.log`, and waits until `GET <url>/health` answers 200.
 * @throws {Error} with the log's tail when it exits or is not healthy within 30 s.
 */
export async function startServer(options: {
  name: string;
  script: string;
  port: number;
  env: Record<string, string>;
  logDir: string;
  cwd: string;
  nodeArgs?: string[];
  /** Arguments after the script. */
  args?: string[];
}): Promise<Running> {
  const log = join(options.logDir, `${options.name}.log`);
  const fd = openSync(log, "a");
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      // The bench is a tool, not the service: children get the caller's environment plus their settings.
      env: { ...process.env, ...options.env, PORT: String(options.port), HOST: "127.0.0.1" },
      stdio: ["ignore", fd, fd],
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 30_000;
  let healthy = false;
  while (!healthy && Date.now() < deadline && child.exitCode === null) {
    healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!healthy) {
    child.kill("SIGKILL");
    throw new Error(`${options.name} did not start:\n${tail(log)}`);
  }
  const pid = child.pid!;
  return {
    name: options.name,
    url,
    pid,
    log,
    rssMiB: () => rssMiB(pid),
    cpuMs: () => cpuMs(pid),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `VmRSS` of a process in MiB (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

/** CPU time (user + system) a process has used so far, in milliseconds (/proc/<pid>/stat). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** `getconf CLK_TCK`: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** The last lines of a log file. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
