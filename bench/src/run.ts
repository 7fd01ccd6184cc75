// `pnpm bench`: the API and the CLI against baselines in the same run, on real PostgreSQL.
// See bench/README.md for what each figure means.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import pg from "pg";
import { median, timeCommands, type CommandTiming } from "./cli.js";
import { measureLayers, type LayerTiming } from "./layers.js";
import { layerShares, summariseProfile, type ProfileSummary } from "./profile.js";
import {
  compareProjectList,
  printReport,
  printSoak,
  type DepthRow,
  type LoadRow,
  type ProfileLayers,
  type Report,
  type SqlTrace,
} from "./report.js";
import { measureEventLatency, type EventLatencyResult } from "./events.js";
import { measureRevocation, type RevocationResult } from "./revocation.js";
import { runSoak } from "./soak.js";
import {
  BENCH_PASSWORD,
  BENCH_PROJECT,
  createSeededDatabase,
  databaseUrl,
  DEEP_EMAIL,
  dropDatabase,
  SEED_PROJECTS,
  userEmail,
  type SeededUser,
  type SeedSize,
} from "./seed.js";
import { freePort } from "@todo/db/testing";
import { startServer, type Running } from "./servers.js";
import { errorCount, runWrk, type LoadResult, type LoadSpec } from "./wrk.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const API_SCRIPT = join(ROOT, "apps/api/dist/server.js");
const BASELINE_SCRIPT = join(ROOT, "bench/dist/baseline.js");
const CLI_SCRIPT = join(ROOT, "apps/cli/dist/bin.js");
const RESULTS = join(ROOT, "bench/results/latest.json");
const SOAK_RESULTS = join(ROOT, "bench/results/soak.json");

const ISSUER = "todo";
const AUDIENCE = "todo-api";
const SCENARIOS = ["list", "project", "get", "patch", "create", "login"] as const;
type Scenario = (typeof SCENARIOS)[number];
const SEED: SeedSize = { users: 1000, tasksPerUser: 100, deepTasks: 100_000 };
const PAGE_LIMIT = 20;
/** Page mode's deep page: offset 99,960 with limit 20; its nextCursor starts after row 99,980. */
const DEEP_PAGE = 4_999;

/** Requests per minute the limiter allows per user, IP and email during the bench: far above the load. */
const RATE_LIMIT_CEILING = 10_000_000;

const HELP = `pnpm bench [options]   (needs a built tree: pnpm build; wrk from Debian; hyperfine optional)

  --quick              smoke run, about 1-2 minutes (1 round of 3 s per side, short depth and CLI runs)
  --duration <s>       seconds per measured load run (default 10; quick 3)
  --warmup <s>         seconds of unmeasured load per server and scenario (default 3; quick 1)
  --rounds <n>         measured runs per server and scenario, alternating API/baseline (default 3; quick 1)
  --connections <n>    wrk keep-alive connections (default 32)
  --login-connections <n>  connections for login, whose argon2id hash keeps a CPU busy ~30 ms (default 8)
  --only <list>        comma list of: list,project,get,patch,create,login,revocation,events,depth,cli,sql,layers (default all)
  --soak               instead: the soak (mixed reads, writes, logins and refused inputs at saturation), to bench/results/soak.json
  --soak-minutes <n>   minutes of soak, each its own wrk run and p99 (default 1)
  --revocation-trials <n>  logouts on one API instance timed to the first refusal on another (default 200; quick 20)
  --event-trials <n>   task changes on one API instance timed to their event on another's stream (default 200; quick 20)
  --profile            run the API under node --cpu-prof and print where its CPU time goes
  --admin-url <url>    PostgreSQL to create the bench database on (default postgres://postgres@127.0.0.1:5432/postgres)
  --database <name>    name of the throwaway database (default todo_bench; dropped at the end)
  --keep-database      keep the seeded database after the run
  --out <file>         JSON results file (default bench/results/latest.json)`;

interface Options {
  quick: boolean;
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  loginConnections: number;
  depthSeconds: number;
  cliRuns: number;
  only: Set<string>;
  profile: boolean;
  soak: boolean;
  soakMinutes: number;
  revocationTrials: number;
  eventTrials: number;
  adminUrl: string;
  database: string;
  keepDatabase: boolean;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      duration: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      connections: { type: "string" },
      "login-connections": { type: "string" },
      only: { type: "string" },
      profile: { type: "boolean", default: false },
      soak: { type: "boolean", default: false },
      "soak-minutes": { type: "string" },
      "revocation-trials": { type: "string" },
      "event-trials": { type: "string" },
      "admin-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
      database: { type: "string", default: "todo_bench" },
      "keep-database": { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const number = (value: string | undefined, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) usage(`--${name} must be a whole number ≥ 1`);
    return parsed;
  };
  const quick = values.quick;
  const only = new Set(
    (values.only ?? "list,project,get,patch,create,login,revocation,events,depth,cli,sql,layers")
      .split(",")
      .map((item) => item.trim()),
  );
  const known = new Set<string>([
    ...SCENARIOS,
    "revocation",
    "events",
    "depth",
    "cli",
    "sql",
    "layers",
  ]);
  for (const item of only) if (!known.has(item)) usage(`--only: unknown part "${item}"`);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(values.database))
    usage("--database must be a plain lower-case name");
  return {
    quick,
    duration: number(values.duration, quick ? 3 : 10, "duration"),
    warmup: number(values.warmup, quick ? 1 : 3, "warmup"),
    rounds: number(values.rounds, quick ? 1 : 3, "rounds"),
    connections: number(values.connections, 32, "connections"),
    loginConnections: number(values["login-connections"], 8, "login-connections"),
    depthSeconds: quick ? 1 : 3,
    cliRuns: quick ? 5 : 20,
    only,
    profile: values.profile,
    soak: values.soak,
    soakMinutes: number(values["soak-minutes"], 1, "soak-minutes"),
    revocationTrials: number(values["revocation-trials"], quick ? 20 : 200, "revocation-trials"),
    eventTrials: number(values["event-trials"], quick ? 20 : 200, "event-trials"),
    adminUrl: values["admin-url"],
    database: values.database,
    keepDatabase: values["keep-database"],
    out: values.out ?? (values.soak ? SOAK_RESULTS : RESULTS),
  };
}

function usage(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

const log = (message: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  for (const [file, what] of [
    [API_SCRIPT, "the API"],
    [BASELINE_SCRIPT, "the baseline"],
  ] as const) {
    if (!existsSync(file))
      usage(`${what} is not built (${file} is missing): run \`pnpm build\` first.`);
  }
  if (spawnSync("wrk", ["-v"]).error) usage("wrk is not installed: apt-get install wrk (Debian).");

  const startedAt = new Date();
  const machine = machineInfo(startedAt);
  const workDir = mkdtempSync(join(os.tmpdir(), "todo-bench-"));
  const servers: Running[] = [];
  let dropped = false;
  const cleanUp = async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    if (!options.keepDatabase && !dropped) {
      dropped = true;
      await dropDatabase(options.adminUrl, options.database).catch(() => undefined);
    }
  };
  process.once("SIGINT", () => void cleanUp().then(() => process.exit(130)));

  try {
    log(
      `seeding ${options.database}: ${SEED.users} users × ${SEED.tasksPerUser} tasks in ${SEED_PROJECTS.length} projects and none + 1 user × ${SEED.deepTasks} tasks`,
    );
    const seeded = await createSeededDatabase(options.adminUrl, options.database, SEED);
    const url = databaseUrl(options.adminUrl, options.database);
    machine.postgres = await postgresVersion(url);
    log(
      `migrated in ${Math.round(seeded.migrateMs)} ms, seeded in ${Math.round(seeded.seedMs)} ms`,
    );

    const secret = randomBytes(32).toString("base64url");
    const env = {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      DATABASE_URL: url,
      JWT_SECRET: secret,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      // The limiter is on, as production pays for it, with ceilings the load never reaches: every
      // request comes from one IP, and a user gets at most a few thousand requests a minute here.
      RATE_LIMIT_ENABLED: "true",
      RATE_LIMIT_USER_POINTS: String(RATE_LIMIT_CEILING),
      RATE_LIMIT_AUTH_POINTS: String(RATE_LIMIT_CEILING),
    };
    const profileDir = join(workDir, "profile");
    const api = await startServer({
      name: "api",
      script: API_SCRIPT,
      port: await freePort(),
      env,
      logDir: workDir,
      cwd: ROOT,
      nodeArgs: options.profile ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [],
    });
    servers.push(api);
    const apiRssStart = api.rssMiB();
    const headersFile = join(workDir, "api-headers.json");
    writeFileSync(headersFile, JSON.stringify(await staticHeaders(api.url)));
    const baseline = await startServer({
      name: "baseline",
      script: BASELINE_SCRIPT,
      port: await freePort(),
      env,
      logDir: workDir,
      cwd: ROOT,
      nodeArgs: options.profile
        ? ["--cpu-prof", "--cpu-prof-dir", join(profileDir, "baseline")]
        : [],
      args: ["--headers", headersFile],
    });
    servers.push(baseline);
    const baselineRssStart = baseline.rssMiB();
    log(
      `API (pid ${api.pid}) on ${api.url}, baseline (pid ${baseline.pid}) on ${baseline.url}; API RSS ${apiRssStart} MiB`,
    );

    // Access tokens signed as the API signs them, for every seeded user, spread over by the load.
    const tokens = await Promise.all(seeded.users.map((user) => signToken(secret, user)));
    const usersFile = join(workDir, "users.txt");
    writeFileSync(
      usersFile,
      tokens.map((token, index) => `${token} ${userEmail(index + 1)}`).join("\n") + "\n",
    );
    if (options.soak) {
      log(
        `soak: ${options.soakMinutes} minute(s) at ${options.connections} connections (bench/lua/soak.lua)`,
      );
      const soak = await runSoak({
        api,
        usersFile,
        tasksPerUser: SEED.tasksPerUser,
        minutes: options.soakMinutes,
        connections: options.connections,
        log,
      });
      await cleanUp();
      const report = { startedAt: startedAt.toISOString(), machine, soak };
      printSoak(report);
      mkdirSync(join(options.out, ".."), { recursive: true });
      writeFileSync(options.out, JSON.stringify(report, null, 2) + "\n");
      console.log(`\nResults: ${options.out}`);
      rmSync(workDir, { recursive: true, force: true });
      if (soak.serverErrors > 0) process.exitCode = 1;
      return;
    }

    const deepToken = await signToken(secret, seeded.deep);
    const deepFile = join(workDir, "deep.txt");
    writeFileSync(deepFile, `${deepToken} ${DEEP_EMAIL}\n`);

    const cursors = await deepCursors(api.url, deepToken);
    const paths = {
      first: `/api/v1/tasks?limit=${PAGE_LIMIT}`,
      cursorShallow: `/api/v1/tasks?limit=${PAGE_LIMIT}&cursor=${cursors.shallow}`,
      cursorDeep: `/api/v1/tasks?limit=${PAGE_LIMIT}&cursor=${cursors.deep}`,
      pageDeep: `/api/v1/tasks?limit=${PAGE_LIMIT}&page=${DEEP_PAGE}`,
    };
    const cursorCheck = "the cursors are the API's own nextCursor (after pages 1 and 4,999)";
    const projectPath = `/api/v1/tasks?project=${BENCH_PROJECT}`;
    const responseCheck = await checkSameResponses(api.url, baseline.url, tokens[0]!, [
      "/api/v1/tasks/7",
      paths.first,
      projectPath,
    ]);

    let sql: SqlTrace[] = [];
    if (options.only.has("sql")) {
      log("tracing the SQL each API request sends (a second API instance with DEBUG=todo:sql)");
      sql = await traceSql({
        env,
        workDir,
        token: tokens[0]!,
        deepToken,
        paths: { ...paths, project: projectPath },
      });
    }

    const load: LoadRow[] = [];
    for (const scenario of SCENARIOS) {
      if (!options.only.has(scenario)) continue;
      load.push(await loadScenario(scenario, { api, baseline, usersFile, options }));
    }
    const apiRssAfterLoad = api.rssMiB();
    const baselineRssAfterLoad = baseline.rssMiB();

    let revocation: RevocationResult | undefined;
    let events: EventLatencyResult | undefined;
    if (options.only.has("revocation") || options.only.has("events")) {
      log("a second API instance on the same database, for revocation and events");
      const second = await startServer({
        name: "api-b",
        script: API_SCRIPT,
        port: await freePort(),
        env,
        logDir: workDir,
        cwd: ROOT,
      });
      servers.push(second);
      try {
        if (options.only.has("revocation")) {
          log(
            `revocation: ${options.revocationTrials} logouts on the API, each timed to the first refusal on a second instance`,
          );
          revocation = await measureRevocation({
            aUrl: api.url,
            bUrl: second.url,
            email: userEmail(1),
            password: BENCH_PASSWORD,
            trials: options.revocationTrials,
          });
          log(
            `  p50 ${revocation.p50Ms} ms, p99 ${revocation.p99Ms} ms, max ${revocation.maxMs} ms`,
          );
        }
        if (options.only.has("events")) {
          log(
            `events: ${options.eventTrials} task changes on the API, each timed to its event on a stream of the second instance`,
          );
          events = await measureEventLatency({
            aUrl: api.url,
            bUrl: second.url,
            email: userEmail(2),
            password: BENCH_PASSWORD,
            trials: options.eventTrials,
          });
          log(
            `  after A's answer: p50 ${events.answeredP50Ms} ms, p99 ${events.answeredP99Ms} ms; from sending: p50 ${events.sentP50Ms} ms, p99 ${events.sentP99Ms} ms`,
          );
        }
      } finally {
        await second.stop();
      }
    }

    const depth: DepthRow[] = [];
    if (options.only.has("depth")) {
      log("depth: the 100,000-task user, one connection");
      for (const [name, path] of Object.entries(paths)) {
        const measure = async (server: Running) =>
          runWrk({
            baseUrl: server.url,
            scenario: "path",
            usersFile: deepFile,
            arg: path,
            connections: 1,
            seconds: options.depthSeconds,
          });
        const apiResult = await measure(api);
        const baseResult = await measure(baseline);
        depth.push({ name, path, api: apiResult, baseline: baseResult });
      }
    }

    let cli: { tool: string; timings: CommandTiming[] } | { skipped: string } = {
      skipped: "not requested (--only)",
    };
    if (options.only.has("cli")) {
      if (!existsSync(CLI_SCRIPT)) {
        cli = { skipped: `apps/cli/dist/bin.js is not built yet` };
      } else {
        log(`CLI: ${options.cliRuns} runs each`);
        try {
          const configDir = join(workDir, "cli-config");
          mkdirSync(configDir, { mode: 0o700 });
          cli = timeCommands(
            [
              { name: 'node -e ""', argv: [process.execPath, "-e", ""] },
              { name: "todo --version", argv: [process.execPath, CLI_SCRIPT, "--version"] },
              { name: "todo list", argv: [process.execPath, CLI_SCRIPT, "list"] },
              {
                name: "todo add",
                argv: [process.execPath, CLI_SCRIPT, "add", "Timed by the bench"],
              },
            ],
            {
              runs: options.cliRuns,
              warmup: 3,
              cwd: ROOT,
              env: {
                TODO_API_URL: api.url,
                TODO_TOKEN: tokens[0]!,
                TODO_CONFIG_DIR: configDir,
                NO_COLOR: "1",
              },
            },
          );
        } catch (error) {
          cli = { skipped: (error as Error).message };
        }
      }
    }

    let layers: LayerTiming[] = [];
    if (options.only.has("layers")) {
      log("layers: CPU per operation of each layer, in this process");
      layers = await measureLayers(url, secret, seeded.users, options.quick ? 1000 : 3000);
    }

    await api.stop();
    await baseline.stop();
    let profile: ProfileSummary | undefined;
    let profileLayers: ProfileLayers | undefined;
    if (options.profile) {
      const apiProfile = profileIn(profileDir);
      const baselineProfile = profileIn(join(profileDir, "baseline"));
      if (apiProfile) profile = summariseProfile(apiProfile);
      if (apiProfile && baselineProfile)
        profileLayers = layersPerRequest(load, apiProfile, baselineProfile);
    }
    await cleanUp();

    const report: Report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      settings: {
        quick: options.quick,
        connections: options.connections,
        loginConnections: options.loginConnections,
        durationSeconds: options.duration,
        warmupSeconds: options.warmup,
        rounds: options.rounds,
        depthSeconds: options.depthSeconds,
        cliRuns: options.cliRuns,
        rateLimiting: `on in the API, memory store, ${RATE_LIMIT_CEILING} requests a minute per user, IP and email (never reached)`,
        api: "node apps/api/dist/server.js, NODE_ENV=production, LOG_LEVEL=warn, pool 10",
        baseline:
          "node bench/dist/baseline.js: node:http + pg (pool 10) + jose + argon2; the token's signature and claims, then only the route's own SQL (no session lookup)",
        loadGenerator: "wrk -t1 (bench/lua/load.lua)",
        seed: {
          ...SEED,
          projectsPerUser: SEED_PROJECTS.length,
          projectSpread: `of every 10 tasks: 4 in project 1, 2 in project 2, 1 each in projects 3-5, 1 in none; the load lists project ${BENCH_PROJECT}`,
          migrateMs: Math.round(seeded.migrateMs),
          seedMs: Math.round(seeded.seedMs),
        },
        cursorCheck,
        responseCheck,
      },
      load,
      projectList: compareProjectList(load),
      depth,
      cli,
      memory: {
        apiRssStartMiB: apiRssStart,
        apiRssAfterLoadMiB: apiRssAfterLoad,
        baselineRssStartMiB: baselineRssStart,
        baselineRssAfterLoadMiB: baselineRssAfterLoad,
      },
      revocation,
      events,
      sql,
      layers,
      profile,
      profileLayers,
    };
    printReport(report); // also records the target checks on the report
    mkdirSync(join(options.out, ".."), { recursive: true });
    writeFileSync(options.out, JSON.stringify(report, null, 2) + "\n");
    console.log(
      `\nResults: ${options.out}${options.profile && profile ? `\nCPU profile: ${profile.file}` : ""}`,
    );
    if (!options.profile) rmSync(workDir, { recursive: true, force: true });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Loads one scenario: a warm-up per server, then `rounds` runs each, alternating which goes first. */
async function loadScenario(
  scenario: Scenario,
  context: {
    api: Running;
    baseline: Running;
    usersFile: string;
    options: Options;
  },
): Promise<LoadRow> {
  const { api, baseline, usersFile, options } = context;
  const spec = (server: Running, seconds: number): LoadSpec => ({
    baseUrl: server.url,
    scenario,
    usersFile,
    arg: scenario === "project" ? String(BENCH_PROJECT) : String(SEED.tasksPerUser),
    connections: scenario === "login" ? options.loginConnections : options.connections,
    seconds,
  });
  // wrk abandons the requests in flight when it stops; let the server finish them (argon2 hashes
  // above all) so that they do not slow the next run down.
  const settle = () =>
    new Promise((resolve) => setTimeout(resolve, scenario === "login" ? 2000 : 500));
  log(
    `${scenario}: warm-up ${options.warmup} s per server, then ${options.rounds} × ${options.duration} s per server`,
  );
  await runWrk(spec(api, options.warmup));
  await settle();
  await runWrk(spec(baseline, options.warmup));
  await settle();
  const runs: { api: LoadResult[]; baseline: LoadResult[] } = { api: [], baseline: [] };
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? (["api", "baseline"] as const) : (["baseline", "api"] as const);
    for (const side of order) {
      const server = side === "api" ? api : baseline;
      const cpuBefore = server.cpuMs();
      const loaded = await runWrk(spec(server, options.duration));
      const cpuUsPerRequest = Math.round(
        ((server.cpuMs() - cpuBefore) * 1000) / Math.max(loaded.requests, 1),
      );
      const result = { ...loaded, cpuUsPerRequest };
      runs[side].push(result);
      await settle();
      const errors = errorCount(result)
        ? `, ${errorCount(result)} errors ${JSON.stringify(result.errors)}`
        : "";
      log(
        `  ${side.padEnd(8)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  CPU ${cpuUsPerRequest} µs/req${errors}`,
      );
    }
  }
  return { scenario, api: medianRun(runs.api), baseline: medianRun(runs.baseline), runs };
}

/** The median of each figure over a side's runs (errors summed). */
function medianRun(results: LoadResult[]): LoadResult {
  const pick = (
    key:
      "rps" | "p50" | "p90" | "p99" | "mean" | "max" | "requests" | "seconds" | "cpuUsPerRequest",
  ) => median(results.map((result) => result[key] ?? NaN));
  const errors = { connect: 0, read: 0, write: 0, status: 0, timeout: 0 };
  for (const result of results)
    for (const key of Object.keys(errors) as (keyof typeof errors)[])
      errors[key] += result.errors[key];
  return {
    requests: pick("requests"),
    seconds: pick("seconds"),
    rps: Math.round(pick("rps")),
    p50: pick("p50"),
    p90: pick("p90"),
    p99: pick("p99"),
    mean: pick("mean"),
    max: pick("max"),
    cpuUsPerRequest: Math.round(pick("cpuUsPerRequest")),
    errors,
  };
}

/** An access token exactly as the API issues it (HS256, sub, sid, iss, aud, iat, exp). */
async function signToken(secret: string, user: SeededUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: user.sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 2 * 60 * 60)
    .sign(new TextEncoder().encode(secret));
}

/**
 * The cursors the API hands out for the default sort (`-createdAt`): after row 20 (page 1's
 * `nextCursor`) and after row 99,980 (the `nextCursor` of page 4,999), read off the API itself.
 */
async function deepCursors(
  apiUrl: string,
  token: string,
): Promise<{ shallow: string; deep: string }> {
  const nextCursor = async (query: string) => {
    const response = await fetch(`${apiUrl}/api/v1/tasks?limit=${PAGE_LIMIT}${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { meta?: { nextCursor?: unknown } };
    if (typeof body.meta?.nextCursor !== "string")
      throw new Error(`GET /api/v1/tasks${query} gave no nextCursor: ${JSON.stringify(body)}`);
    return body.meta.nextCursor;
  };
  return { shallow: await nextCursor(""), deep: await nextCursor(`&page=${DEEP_PAGE}`) };
}

/** Headers that differ per response, or per body, rather than per server. */
const PER_RESPONSE_HEADERS = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "content-type",
  "transfer-encoding",
  "etag",
  "location",
  "x-request-id",
]);

/** The headers the API sends with every JSON response (its security headers), read off `/health`. */
async function staticHeaders(apiUrl: string): Promise<Record<string, string>> {
  const response = await fetch(`${apiUrl}/health`);
  await response.arrayBuffer();
  return Object.fromEntries(
    [...response.headers].filter(([name]) => !PER_RESPONSE_HEADERS.has(name)),
  );
}

/**
 * Checks that the baseline answers each path as the API does: the same status, the same header
 * names with the same values (but for `Date` and `X-Request-Id`) and the same body, so the load
 * compares servers that write the same bytes.
 * @throws {Error} naming the first difference.
 */
async function checkSameResponses(
  apiUrl: string,
  baselineUrl: string,
  token: string,
  paths: readonly string[],
): Promise<string> {
  const read = async (url: string) => {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const headers = Object.fromEntries(
      [...response.headers].filter(([name]) => name !== "date" && name !== "x-request-id"),
    );
    return { status: response.status, headers, body: await response.text() };
  };
  for (const path of paths) {
    const api = JSON.stringify(await read(`${apiUrl}${path}`));
    const baseline = JSON.stringify(await read(`${baselineUrl}${path}`));
    if (api !== baseline)
      throw new Error(`the baseline answers GET ${path} unlike the API:\n${api}\n${baseline}`);
  }
  return `the baseline answers ${paths.map((path) => `GET ${path}`).join(" and ")} with the API's status, headers and body`;
}

/**
 * Starts a second API with `DEBUG=todo:sql` and sends one request of each kind, one at a time,
 * recording the statements each one sent.
 */
async function traceSql(context: {
  env: Record<string, string>;
  workDir: string;
  token: string;
  deepToken: string;
  paths: Record<string, string>;
}): Promise<SqlTrace[]> {
  const traced = await startServer({
    name: "api-sql-trace",
    script: API_SCRIPT,
    port: await freePort(),
    env: { ...context.env, DEBUG: "todo:sql", DEBUG_COLORS: "no" },
    logDir: context.workDir,
    cwd: ROOT,
  });
  const json = { "Content-Type": "application/json" };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const requests: {
    name: string;
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
  }[] = [
    { name: "list (page 1)", method: "GET", path: "/api/v1/tasks", headers: bearer(context.token) },
    {
      name: `list (project ${BENCH_PROJECT}, page 1)`,
      method: "GET",
      path: context.paths.project!,
      headers: bearer(context.token),
    },
    { name: "get", method: "GET", path: "/api/v1/tasks/7", headers: bearer(context.token) },
    {
      name: "patch",
      method: "PATCH",
      path: "/api/v1/tasks/7",
      headers: { ...bearer(context.token), ...json },
      body: '{"title":"Traced"}',
    },
    {
      name: "create",
      method: "POST",
      path: "/api/v1/tasks",
      headers: { ...bearer(context.token), ...json },
      body: '{"title":"Traced","tags":["bench"]}',
    },
    {
      name: "login",
      method: "POST",
      path: "/api/v1/auth/login",
      headers: json,
      body: JSON.stringify({ email: userEmail(1), password: "bench-password-1" }),
    },
    {
      name: "list (cursor 99,980 deep)",
      method: "GET",
      path: context.paths.cursorDeep!,
      headers: bearer(context.deepToken),
    },
    {
      name: "list (page 4,999)",
      method: "GET",
      path: context.paths.pageDeep!,
      headers: bearer(context.deepToken),
    },
  ];
  const traces: SqlTrace[] = [];
  try {
    for (const request of requests) {
      const before = statSync(traced.log).size;
      const response = await fetch(`${traced.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 150));
      const text = readFileSync(traced.log, "utf8").slice(before);
      const statements = text
        .split(/\n(?=\S+ todo:sql )/)
        .filter((entry) => entry.includes(" todo:sql "))
        .map((entry) =>
          entry
            .replace(/^\S+ todo:sql /, "")
            .replace(/\s+/g, " ")
            .trim(),
        );
      traces.push({ name: request.name, status: response.status, statements });
    }
  } finally {
    await traced.stop();
  }
  return traces;
}

function machineInfo(now: Date): Report["machine"] {
  const gib = (bytes: number) => Math.round((bytes / 2 ** 30) * 10) / 10;
  let freeG: string;
  try {
    freeG = execFileSync("free", ["-g"], { encoding: "utf8" }).trim();
  } catch {
    freeG = "(free not available)";
  }
  return {
    date: now.toISOString(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: gib(os.totalmem()),
    freeG,
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    postgres: "",
    os: `${os.type()} ${os.release()}`,
  };
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>("SELECT version()");
    return rows[0]?.version ?? "unknown";
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

/** The `.cpuprofile` that `node --cpu-prof` left in `dir`, if any. */
function profileIn(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  return file ? join(dir, file) : undefined;
}

/**
 * Each server's CPU per request split into layers: its profile's layer shares
 * ({@link layerShares}) times its CPU µs per request over the load scenarios of this run
 * (requests-weighted). The profiles span the whole process, so `--only <one scenario>` gives that
 * route's split.
 */
function layersPerRequest(
  load: LoadRow[],
  apiProfile: string,
  baselineProfile: string,
): ProfileLayers {
  const cpuPerRequest = (side: "api" | "baseline") => {
    const runs = load.flatMap((row) => row.runs[side]);
    const requests = runs.reduce((sum, run) => sum + run.requests, 0);
    const cpuUs = runs.reduce((sum, run) => sum + (run.cpuUsPerRequest ?? 0) * run.requests, 0);
    return requests ? cpuUs / requests : 0;
  };
  const apiUs = cpuPerRequest("api");
  const baselineUs = cpuPerRequest("baseline");
  const api = new Map(layerShares(apiProfile).map((share) => [share.layer, share.percent]));
  const baseline = new Map(
    layerShares(baselineProfile).map((share) => [share.layer, share.percent]),
  );
  const rows = [...new Set([...api.keys(), ...baseline.keys()])]
    .map((layer) => ({
      layer,
      apiUs: Math.round(((api.get(layer) ?? 0) * apiUs) / 100),
      baselineUs: Math.round(((baseline.get(layer) ?? 0) * baselineUs) / 100),
    }))
    .sort((a, b) => b.apiUs - b.baselineUs - (a.apiUs - a.baselineUs));
  return {
    scenarios: load.map((row) => row.scenario),
    apiCpuUsPerRequest: Math.round(apiUs),
    baselineCpuUsPerRequest: Math.round(baselineUs),
    rows,
  };
}
