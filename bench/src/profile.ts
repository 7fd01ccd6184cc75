import { readFileSync } from "node:fs";

/** Self time of one entry of a CPU profile, in milliseconds and as a share of the samples. */
export interface ProfileEntry {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

/** A `.cpuprofile` (from `node --cpu-prof`) summarised by self time. */
export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Self time per package (`pg`, `knex`, `objection`, `koa`, `@todo/core`, `node`, `(gc)`…). */
  readonly byPackage: ProfileEntry[];
  /** Self time per function (`name package:line`). */
  readonly byFunction: ProfileEntry[];
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Reads a V8 CPU profile and totals self time by package and by function, leaving out `(idle)`.
 * Package names come from the file URL: `node_modules/<name>`, the workspace folder for
 * `@todo/*`, `node` for Node's internals.
 */
export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    const us = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === "(idle)") return;
    total += us;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const name = `${frame.functionName || "(anonymous)"} ${pkg}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  });
  const entries = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        percent: Math.round((us / total) * 1000) / 10,
      }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    byPackage: entries(byPackage),
    byFunction: entries(byFunction),
  };
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const workspace = /\/(apps|packages|bench)\/([^/]+)\//.exec(url);
  if (workspace) return workspace[1] === "bench" ? "@todo/bench" : `@todo/${workspace[2]}`;
  return url;
}

/**
 * The layers a request's CPU time is split into, each named by the code that spends it. A sample
 * belongs to the innermost frame on its stack that falls into one of them, so a socket write made
 * for pg counts as the PostgreSQL driver and one made for a response as node:http, and WebCrypto's
 * HMAC job (what jose's HS256 verify runs) as the JWT check.
 */
const LAYERS: readonly { readonly layer: string; readonly packages: readonly string[] }[] = [
  { layer: "JWT check (jose, WebCrypto HMAC)", packages: ["jose"] },
  {
    layer: "PostgreSQL driver (pg; its socket writes)",
    packages: ["pg", "pg-protocol", "pg-pool", "pg-types", "postgres-date", "postgres-array"],
  },
  { layer: "query builder (knex, objection)", packages: ["knex", "objection"] },
  { layer: "validation (zod)", packages: ["zod"] },
  { layer: "task rules and SQL (@todo/core, @todo/db)", packages: ["@todo/core", "@todo/db"] },
  { layer: "contract (@todo/contract)", packages: ["@todo/contract"] },
  {
    layer: "Koa (koa, @koa/router, bodyparser)",
    packages: [
      "koa",
      "@koa/router",
      "@koa/cors",
      "koa-bodyparser",
      "koa-compose",
      "delegates",
      "co-body",
      "raw-body",
      "type-is",
      "content-type",
      "accepts",
      "negotiator",
      "mime-types",
      "statuses",
      "vary",
      "on-finished",
      "only",
      "cookies",
      "http-errors",
      "path-to-regexp",
    ],
  },
  { layer: "API (@todo/api)", packages: ["@todo/api"] },
  { layer: "rate limiting (rate-limiter-flexible)", packages: ["rate-limiter-flexible"] },
  { layer: "session cache (lru-cache)", packages: ["lru-cache"] },
  { layer: "logging (pino)", packages: ["pino", "pino-std-serializers", "sonic-boom"] },
  { layer: "baseline's own code", packages: ["@todo/bench"] },
  { layer: "node:http (parse, headers, socket writes)", packages: ["node:http"] },
];

/** CPU time of one layer, as a share of a profile's samples (idle excluded). */
export interface LayerShare {
  readonly layer: string;
  readonly percent: number;
}

/**
 * Splits a V8 CPU profile's samples (idle excluded) into {@link LAYERS}, plus `garbage collector`
 * and `other (Node internals, natives, promise jobs)`, by each sample's innermost matching frame.
 * Shares are percentages that sum to 100, largest first.
 */
export function layerShares(file: string): LayerShare[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const layerOfPackage = new Map(
    LAYERS.flatMap(({ layer, packages }) => packages.map((name) => [name, layer] as const)),
  );
  const cache = new Map<number, string>();
  const layerOf = (id: number): string => {
    const known = cache.get(id);
    if (known) return known;
    let layer: string | undefined;
    const leaf = nodes.get(id)?.callFrame.functionName;
    if (leaf === "(garbage collector)") layer = "garbage collector";
    for (let at: number | undefined = id; !layer && at !== undefined; at = parents.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (!frame) break;
      const name = /^node:_http_/.test(frame.url)
        ? "node:http"
        : packageOf(frame.url, frame.functionName);
      layer = layerOfPackage.get(name);
    }
    layer ??= "other (Node internals, natives, promise jobs)";
    cache.set(id, layer);
    return layer;
  };
  const totals = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    if (nodes.get(id)?.callFrame.functionName === "(idle)") return;
    const us = profile.timeDeltas[index] ?? 0;
    total += us;
    const layer = layerOf(id);
    totals.set(layer, (totals.get(layer) ?? 0) + us);
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .map(([layer, us]) => ({ layer, percent: total ? (us / total) * 100 : 0 }));
}
