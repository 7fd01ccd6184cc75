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
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
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
