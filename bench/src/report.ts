import type { CommandTiming } from "./cli.js";
import type { ProfileSummary } from "./profile.js";
import type { LayerTiming } from "./layers.js";
import type { EventLatencyResult } from "./events.js";
import type { RevocationResult } from "./revocation.js";
import type { SoakResult } from "./soak.js";
import type { LoadResult } from "./wrk.js";

/** One load scenario: the median run of each side and every run. */
export interface LoadRow {
  readonly scenario: string;
  readonly api: LoadResult;
  readonly baseline: LoadResult;
  readonly runs: { api: LoadResult[]; baseline: LoadResult[] };
}

/** One server's `GET /tasks?project=<id>` against its `GET /tasks`, from the median runs. */
export interface ProjectListSide {
  readonly listRps: number;
  readonly projectRps: number;
  /** projectRps / listRps: above 1, the project's page is the cheaper one. */
  readonly rpsRatio: number;
  readonly listP50: number;
  readonly projectP50: number;
  readonly listP99: number;
  readonly projectP99: number;
  /** projectP99 / listP99. */
  readonly p99Ratio: number;
  /** Server CPU time per request, microseconds. */
  readonly listCpuUs: number | undefined;
  readonly projectCpuUs: number | undefined;
}

/**
 * The cost of one project's first page (`GET /tasks?project=<id>`, 20 of the project's 40 tasks)
 * against the first page of all tasks (`GET /tasks`, 20 of 100), both measured in the same run, on
 * the API and on the least-work baseline. Latencies in milliseconds.
 */
export interface ProjectListComparison {
  readonly api: ProjectListSide;
  readonly baseline: ProjectListSide;
  /** The project page's req/s, API over baseline (as in the load table). */
  readonly apiOverBaseline: number;
}

/** One depth probe (one connection) on both servers. */
export interface DepthRow {
  readonly name: string;
  readonly path: string;
  readonly api: LoadResult;
  readonly baseline: LoadResult;
}

/** The SQL statements one API request sent (`DEBUG=todo:sql` output). */
export interface SqlTrace {
  readonly name: string;
  readonly status: number;
  readonly statements: string[];
}

/** Everything `bench/results/latest.json` holds. Latencies in milliseconds, memory in MiB. */
export interface Report {
  startedAt: string;
  finishedAt: string;
  machine: {
    date: string;
    nproc: number;
    cpu: string;
    memoryGiB: number;
    freeG: string;
    loadAverage: number[];
    node: string;
    postgres: string;
    os: string;
  };
  settings: Record<string, unknown>;
  load: LoadRow[];
  /** Absent when the run measured `list` or `project` alone. */
  projectList?: ProjectListComparison | undefined;
  depth: DepthRow[];
  cli: { tool: string; timings: CommandTiming[] } | { skipped: string };
  memory: {
    apiRssStartMiB: number;
    apiRssAfterLoadMiB: number;
    baselineRssStartMiB: number;
    baselineRssAfterLoadMiB: number;
  };
  /** Logout on one API instance to the first refusal on another. */
  revocation?: RevocationResult | undefined;
  /** A task changed on one API instance to its event on a stream of another. */
  events?: EventLatencyResult | undefined;
  sql: SqlTrace[];
  layers: LayerTiming[];
  profile?: ProfileSummary | undefined;
  /** Where each server's CPU per request goes, by layer (`--profile`). */
  profileLayers?: ProfileLayers | undefined;
  targets?: TargetCheck[];
}

/**
 * Each server's CPU time per request (µs, over the load scenarios named) split into layers from
 * its CPU profile; rows ordered by what the API spends beyond the baseline, largest first.
 */
export interface ProfileLayers {
  readonly scenarios: string[];
  readonly apiCpuUsPerRequest: number;
  readonly baselineCpuUsPerRequest: number;
  readonly rows: { readonly layer: string; readonly apiUs: number; readonly baselineUs: number }[];
}

/** One performance target (a ratio against the baseline) and whether this run met it. */
export interface TargetCheck {
  readonly what: string;
  readonly value: number;
  readonly target: string;
  readonly met: boolean;
}

/** req/s API / baseline; a project's page is a list as the first page of all tasks is. */
const RPS_TARGETS: Record<string, number> = {
  list: 0.85,
  project: 0.85,
  get: 0.85,
  patch: 0.85,
  create: 0.8,
};
const P99_TARGET = 1.3;
const DEPTH_TARGET = 1.5;
/** Each command's wall time over `node -e ""`'s. */
const CLI_TARGETS: Record<string, number> = {
  "todo --version": 1.1,
  "todo list": 1.5,
  "todo add": 1.5,
};
/** API RSS after the load over the baseline's. */
const RSS_TARGET = 1.2;
/** Milliseconds from a logout on one instance to the first refusal on another, p99. */
const REVOCATION_TARGET_MS = 100;

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/**
 * Compares the `project` scenario with the `list` scenario of the same run, on each server;
 * `undefined` unless both were measured.
 */
export function compareProjectList(load: readonly LoadRow[]): ProjectListComparison | undefined {
  const list = load.find((row) => row.scenario === "list");
  const project = load.find((row) => row.scenario === "project");
  if (!list || !project) return undefined;
  const side = (all: LoadResult, one: LoadResult): ProjectListSide => ({
    listRps: all.rps,
    projectRps: one.rps,
    rpsRatio: ratio(one.rps, all.rps),
    listP50: all.p50,
    projectP50: one.p50,
    listP99: all.p99,
    projectP99: one.p99,
    p99Ratio: ratio(one.p99, all.p99),
    listCpuUs: all.cpuUsPerRequest,
    projectCpuUs: one.cpuUsPerRequest,
  });
  return {
    api: side(list.api, project.api),
    baseline: side(list.baseline, project.baseline),
    apiOverBaseline: ratio(project.api.rps, project.baseline.rps),
  };
}

/** Evaluates the performance targets (ratios from this run) and stores them on the report. */
export function checkTargets(report: Report): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of report.load) {
    const min = RPS_TARGETS[row.scenario];
    if (min !== undefined) {
      const value = ratio(row.api.rps, row.baseline.rps);
      checks.push({
        what: `${row.scenario} req/s API/baseline`,
        value,
        target: `≥ ${min.toFixed(2)}`,
        met: value >= min,
      });
      const p99 = ratio(row.api.p99, row.baseline.p99);
      checks.push({
        what: `${row.scenario} p99 API/baseline`,
        value: p99,
        target: `≤ ${P99_TARGET}`,
        met: p99 <= P99_TARGET,
      });
    }
  }
  const depth = (name: string) => report.depth.find((row) => row.name === name)?.api.p50;
  const deep = depth("cursorDeep");
  const shallow = depth("cursorShallow");
  const first = depth("first");
  if (deep !== undefined && shallow !== undefined) {
    const value = ratio(deep, shallow);
    checks.push({
      what: "cursor 99,980 deep / cursor page 2 (p50)",
      value,
      target: `≤ ${DEPTH_TARGET}`,
      met: value <= DEPTH_TARGET,
    });
  }
  if (deep !== undefined && first !== undefined) {
    const value = ratio(deep, first);
    checks.push({
      what: "cursor 99,980 deep / first page (p50)",
      value,
      target: `≤ ${DEPTH_TARGET}`,
      met: value <= DEPTH_TARGET,
    });
  }
  if ("timings" in report.cli) {
    const bare = report.cli.timings.find((timing) => timing.name === 'node -e ""');
    for (const timing of report.cli.timings) {
      const max = CLI_TARGETS[timing.name];
      if (!bare || max === undefined) continue;
      const value = ratio(timing.median, bare.median);
      checks.push({
        what: `${timing.name} / node -e "" (median)`,
        value,
        target: `≤ ${max}`,
        met: value <= max,
      });
    }
  }
  if (report.revocation) {
    const value = report.revocation.p99Ms;
    checks.push({
      what: "revocation lag across two instances, p99 ms",
      value,
      target: `≤ ${REVOCATION_TARGET_MS}`,
      met: value <= REVOCATION_TARGET_MS && report.revocation.neverRefused === 0,
    });
  }
  if (report.load.length) {
    const value = ratio(report.memory.apiRssAfterLoadMiB, report.memory.baselineRssAfterLoadMiB);
    checks.push({
      what: "API RSS after the load / baseline's",
      value,
      target: `≤ ${RSS_TARGET}`,
      met: value <= RSS_TARGET,
    });
  }
  report.targets = checks;
  return checks;
}

/** Prints the report as aligned tables on stdout. */
export function printReport(report: Report): void {
  const m = report.machine;
  const s = report.settings;
  const out: string[] = [];
  out.push("");
  out.push(
    `Machine   ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, load average at start ${m.loadAverage.join(" ")}`,
  );
  out.push(`          Node ${m.node}, ${m.postgres.split(" on ")[0]}, ${m.os}`);
  out.push(
    `Settings  wrk -t1 -c${String(s.connections)} (login -c${String(s.loginConnections)}), ${String(s.rounds)} × ${String(s.durationSeconds)} s per server per scenario ` +
      `(median), warm-up ${String(s.warmupSeconds)} s, alternating API/baseline`,
  );
  out.push(`          rate limiting ${String(s.rateLimiting)}`);
  out.push(`Baseline  ${String(s.baseline)}`);

  if (report.load.length) {
    out.push("", "Load (requests spread over 1,000 seeded users)");
    const rows = report.load.map((row) => {
      const min = RPS_TARGETS[row.scenario];
      const rpsRatio = ratio(row.api.rps, row.baseline.rps);
      const p99Ratio = ratio(row.api.p99, row.baseline.p99);
      const errors =
        row.api.errors.status +
        row.api.errors.timeout +
        row.baseline.errors.status +
        row.baseline.errors.timeout;
      return [
        row.scenario,
        String(row.api.rps),
        String(row.baseline.rps),
        rpsRatio.toFixed(2),
        min === undefined ? "-" : `≥${min.toFixed(2)} ${rpsRatio >= min ? "ok" : "MISS"}`,
        row.api.p50.toFixed(2),
        row.baseline.p50.toFixed(2),
        row.api.p99.toFixed(2),
        row.baseline.p99.toFixed(2),
        p99Ratio.toFixed(2),
        min === undefined ? "-" : `≤${P99_TARGET} ${p99Ratio <= P99_TARGET ? "ok" : "MISS"}`,
        String(row.api.cpuUsPerRequest ?? "-"),
        String(row.baseline.cpuUsPerRequest ?? "-"),
        errors ? `${errors} ERRORS` : "",
      ];
    });
    out.push(
      ...table(
        [
          "scenario",
          "API req/s",
          "base req/s",
          "ratio",
          "target",
          "API p50 ms",
          "base p50",
          "API p99 ms",
          "base p99",
          "p99 ratio",
          "target",
          "API CPU µs/req",
          "base CPU",
          "",
        ],
        rows,
      ),
    );
  }

  const projects = report.projectList;
  if (projects) {
    out.push(
      "",
      "Projects (GET /tasks?project=1, 20 of the project's 40 tasks, against GET /tasks, 20 of 100; same run)",
    );
    const row = (name: string, side: ProjectListSide) => [
      name,
      String(side.listRps),
      String(side.projectRps),
      side.rpsRatio.toFixed(2),
      side.listP50.toFixed(2),
      side.projectP50.toFixed(2),
      side.listP99.toFixed(2),
      side.projectP99.toFixed(2),
      side.p99Ratio.toFixed(2),
      String(side.listCpuUs ?? "-"),
      String(side.projectCpuUs ?? "-"),
    ];
    out.push(
      ...table(
        [
          "server",
          "list req/s",
          "project req/s",
          "project/list",
          "list p50 ms",
          "project p50",
          "list p99 ms",
          "project p99",
          "p99 project/list",
          "list CPU µs",
          "project CPU µs",
        ],
        [row("API", projects.api), row("baseline", projects.baseline)],
      ),
    );
    out.push(
      `  project page req/s, API / baseline: ${projects.apiOverBaseline.toFixed(2)} (list: ${ratio(projects.api.listRps, projects.baseline.listRps).toFixed(2)})`,
    );
  }

  if (report.depth.length) {
    out.push(
      "",
      "Depth (user with 100,000 tasks, limit 20, one connection; ratios of p50 to the first page)",
    );
    const first = report.depth.find((row) => row.name === "first");
    const shallow = report.depth.find((row) => row.name === "cursorShallow");
    const labels: Record<string, string> = {
      first: "first page (page mode, with count)",
      cursorShallow: "cursor after row 20 (page 2)",
      cursorDeep: "cursor after row 99,980",
      pageDeep: "page=4999 (offset 99,960, with count)",
    };
    const rows = report.depth.map((row) => [
      labels[row.name] ?? row.name,
      row.api.p50.toFixed(2),
      row.api.p99.toFixed(2),
      first ? ratio(row.api.p50, first.api.p50).toFixed(2) : "-",
      row.name === "cursorDeep" && shallow ? ratio(row.api.p50, shallow.api.p50).toFixed(2) : "",
      row.baseline.p50.toFixed(2),
      first ? ratio(row.baseline.p50, first.baseline.p50).toFixed(2) : "-",
      ratio(row.api.p50, row.baseline.p50).toFixed(2),
    ]);
    out.push(
      ...table(
        [
          "request",
          "API p50 ms",
          "API p99",
          "/first",
          "/cursor p2",
          "base p50",
          "base /first",
          "API/base",
        ],
        rows,
      ),
    );
  }

  out.push("", "CLI (wall time, median)");
  if ("timings" in report.cli) {
    const bare = report.cli.timings.find((timing) => timing.name === 'node -e ""');
    out.push(
      ...table(
        ["command", "median ms", "mean", "min", "max", "runs", `/ node -e ""`],
        report.cli.timings.map((timing) => [
          timing.name,
          timing.median.toFixed(1),
          timing.mean.toFixed(1),
          timing.min.toFixed(1),
          timing.max.toFixed(1),
          String(timing.runs),
          bare ? ratio(timing.median, bare.median).toFixed(2) : "-",
        ]),
      ),
    );
    out.push(`  timed with ${report.cli.tool}`);
  } else {
    out.push(`  skipped: ${report.cli.skipped}`);
  }

  const mem = report.memory;
  out.push("", "Memory (VmRSS, MiB)");
  out.push(
    ...table(
      ["process", "after start", "after load"],
      [
        ["API", String(mem.apiRssStartMiB), String(mem.apiRssAfterLoadMiB)],
        ["baseline", String(mem.baselineRssStartMiB), String(mem.baselineRssAfterLoadMiB)],
      ],
    ),
  );

  if (report.events) {
    const e = report.events;
    out.push(
      "",
      "Events across instances (PATCH a task on instance A; its task.updated event on a stream of instance B,",
      "  read with the typed client; after A's answer, and from sending the PATCH)",
    );
    out.push(
      ...table(
        ["trials", "after answer p50 ms", "p99", "max", "from sending p50 ms", "p99"],
        [
          [
            String(e.trials),
            e.answeredP50Ms.toFixed(2),
            e.answeredP99Ms.toFixed(2),
            e.answeredMaxMs.toFixed(2),
            e.sentP50Ms.toFixed(2),
            e.sentP99Ms.toFixed(2),
          ],
        ],
      ),
    );
  }

  if (report.revocation) {
    const r = report.revocation;
    out.push(
      "",
      "Revocation (logout answered 204 by instance A, then GET /users/me on instance B until 401;",
      "  lag: from the 204 to the sending of B's first refused request, 0 when the first was refused)",
    );
    out.push(
      ...table(
        [
          "trials",
          "lag p50 ms",
          "lag p99",
          "lag max",
          "401 received p50",
          "p99",
          "B's 200s after the 204",
          "refused at once",
          "never",
        ],
        [
          [
            String(r.trials),
            r.p50Ms.toFixed(2),
            r.p99Ms.toFixed(2),
            r.maxMs.toFixed(2),
            r.answeredP50Ms.toFixed(2),
            r.answeredP99Ms.toFixed(2),
            String(r.acceptedAfterLogout),
            String(r.refusedAtOnce),
            String(r.neverRefused),
          ],
        ],
      ),
    );
  }

  if (report.sql.length) {
    out.push("", "SQL per API request (DEBUG=todo:sql; the baseline sends the same statements)");
    for (const trace of report.sql) {
      out.push(`  ${trace.name} → ${trace.status}: ${trace.statements.length} statement(s)`);
      for (const statement of trace.statements)
        out.push(`      ${statement.length > 150 ? `${statement.slice(0, 147)}...` : statement}`);
    }
  }

  if (report.layers.length) {
    out.push("", "Layers (CPU per operation in one process, 16 in flight; no HTTP)");
    out.push(
      ...table(
        ["operation", "CPU µs/op", "ops/s"],
        report.layers.map((layer) => [layer.name, String(layer.cpuUs), String(layer.opsPerSecond)]),
      ),
    );
  }

  if (report.profile) {
    out.push(
      "",
      `API CPU profile (self time, ${report.profile.totalMs} ms sampled, idle excluded)`,
    );
    out.push(
      ...table(
        ["package", "ms", "%"],
        report.profile.byPackage
          .slice(0, 15)
          .map((entry) => [entry.name, String(entry.ms), String(entry.percent)]),
      ),
    );
    out.push("");
    out.push(
      ...table(
        ["function", "ms", "%"],
        report.profile.byFunction.map((entry) => [
          entry.name,
          String(entry.ms),
          String(entry.percent),
        ]),
      ),
    );
  }

  if (report.profileLayers) {
    const layers = report.profileLayers;
    out.push(
      "",
      `CPU per request by layer (µs; profiles of both servers over ${layers.scenarios.join(", ") || "no load"})`,
    );
    out.push(
      ...table(
        ["layer", "API", "baseline", "API − baseline"],
        [
          ...layers.rows.map((row) => [
            row.layer,
            String(row.apiUs),
            String(row.baselineUs),
            String(row.apiUs - row.baselineUs),
          ]),
          [
            "all",
            String(layers.apiCpuUsPerRequest),
            String(layers.baselineCpuUsPerRequest),
            String(layers.apiCpuUsPerRequest - layers.baselineCpuUsPerRequest),
          ],
        ],
      ),
    );
  }

  const targets = checkTargets(report);
  if (targets.length) {
    out.push("", "Targets");
    out.push(
      ...table(
        ["what", "value", "target", ""],
        targets.map((check) => [
          check.what,
          check.value.toFixed(2),
          check.target,
          check.met ? "met" : "MISSED",
        ]),
      ),
    );
  }
  console.log(out.join("\n"));
}

/** Aligned columns: the first left-aligned, the rest right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    "  " +
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

/** Prints a soak run (`pnpm bench --soak`) on stdout. */
export function printSoak(report: { machine: Report["machine"]; soak: SoakResult }): void {
  const m = report.machine;
  const soak = report.soak;
  const out: string[] = [""];
  out.push(
    `Machine   ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, load average at start ${m.loadAverage.join(" ")}`,
  );
  out.push(`          Node ${m.node}, ${m.postgres.split(" on ")[0]}, ${m.os}`);
  out.push(
    `Soak      ${soak.seconds} s, wrk -t1 -c${soak.connections}, bench/lua/soak.lua: 35% list, 25% get, 10% patch, 10% create, 1% login, 19% refused inputs`,
  );
  out.push(
    ...table(
      [
        "minute",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "statuses",
        "socket errors",
        "RSS MiB",
      ],
      soak.minutes.map((row) => [
        String(row.minute),
        String(row.requests),
        String(row.rps),
        row.p50.toFixed(2),
        row.p99.toFixed(2),
        row.max.toFixed(2),
        Object.entries(row.statuses)
          .map(([status, count]) => `${status}:${count}`)
          .join(" "),
        String(row.socketErrors),
        String(row.rssMiB),
      ]),
    ),
  );
  out.push(
    "",
    `5xx responses: ${soak.serverErrors} (target 0) ${soak.serverErrors === 0 ? "met" : "MISSED"}`,
    `API RSS: ${soak.rssStartMiB} MiB at the start, ${soak.rssEndMiB} MiB at the end`,
  );
  console.log(out.join("\n"));
}
