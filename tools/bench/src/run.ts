// `pnpm bench`: every scenario against its same-run baseline, one markdown table, written to bench/results/latest.{md,json}.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { workerdVersion } from "@baseten-edge/harness/workerd";
import { stopAll, withTimeout } from "./processes.ts";
import { failedRow, type Row, renderTable, writeResults } from "./report.ts";
import { bundleSizes, generateTime } from "./scenarios/build.ts";
import { coreList } from "./scenarios/core-list.ts";
import { hostileBodyCpu } from "./scenarios/hostile.ts";
import { coreCallOverhead, gatewayOverhead } from "./scenarios/in-process.ts";
import { limitsOverhead } from "./scenarios/limits.ts";
import { nodePeers } from "./scenarios/peers.ts";
import { catalogHit, coldStampede, relayJson, relayStream, WORKER_BUNDLE } from "./scenarios/workerd.ts";
import type { Settings } from "./settings.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    "no-build": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(`Usage: pnpm bench [--quick] [--only 1,3,5] [--no-build]

  --quick     every scenario briefly (CI: < 3 minutes); exits 1 if a scenario could not run
  --only      run these scenario numbers only (printed, not written to bench/results)
  --no-build  skip \`turbo run build\` for the Worker and core (the bundle must exist)`);
  process.exit(0);
}
const settings: Settings = { quick: values.quick, rounds: values.quick ? 5 : 7 };
const root = new URL("../../../", import.meta.url);

const scenarios: { id: string; name: string; timeoutS: number; run: (s: Settings) => Promise<Row[]> }[] = [
  { id: "1", name: "catalog hit from isolate memory", timeoutS: 180, run: catalogHit },
  { id: "2", name: "100 concurrent cold requests", timeoutS: 60, run: coldStampede },
  { id: "3", name: "relay, chat completion (JSON)", timeoutS: 240, run: relayJson },
  { id: "4", name: "relay, 64-chunk SSE", timeoutS: 240, run: relayStream },
  { id: "5", name: "gateway handler overhead in process", timeoutS: 120, run: gatewayOverhead },
  { id: "6", name: "core: list 10,000 models", timeoutS: 180, run: coreList },
  { id: "7", name: "core: one call's overhead", timeoutS: 60, run: coreCallOverhead },
  { id: "8", name: "bundle sizes", timeoutS: 180, run: bundleSizes },
  { id: "9", name: "pnpm generate", timeoutS: 300, run: generateTime },
  { id: "10", name: "CPU of a hostile 10 MB body", timeoutS: 120, run: hostileBodyCpu },
  { id: "11", name: "gateway key enforcement overhead", timeoutS: 240, run: limitsOverhead },
  { id: "12", name: "Node: the gateway, Portkey and a Hono proxy", timeoutS: 300, run: nodePeers },
];
const selected = values.only ? new Set(values.only.split(",").map((s) => s.trim())) : undefined;

/** The machine line: results only compare within one run, but say where they came from. */
function machine(): string {
  const model =
    /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown CPU";
  let workerd = "unknown";
  try {
    workerd = workerdVersion();
  } catch {
    // reported as unknown
  }
  return `${model}, ${cpus().length} cores, Node ${process.version}, ${workerd}`;
}

let exitCode = 0;
const stop = () => stopAll().finally(() => process.exit(130));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
const started = performance.now();
const rows: Row[] = [];
try {
  if (!values["no-build"]) {
    // Scenarios 1–4 run the real Worker bundle and 8 measures it; 6–8 use core's dist.
    console.error("building the Worker and core (turbo, cached when unchanged)…");
    execFileSync(
      "pnpm",
      [
        "-s",
        "turbo",
        "run",
        "build",
        "--filter=@baseten-edge/worker",
        "--filter=@baseten-edge/core",
        "--output-logs=errors-only",
      ],
      {
        cwd: root,
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
        timeout: 300_000,
      },
    );
  }
  readFileSync(WORKER_BUNDLE); // fails early with a clear path when the build is missing
  for (const scenario of scenarios) {
    if (selected && !selected.has(scenario.id)) continue;
    const t0 = performance.now();
    console.error(`scenario ${scenario.id}: ${scenario.name}…`);
    try {
      rows.push(...(await withTimeout(scenario.run(settings), scenario.timeoutS * 1000, `scenario ${scenario.id}`)));
    } catch (error) {
      console.error(error);
      rows.push(failedRow(scenario.id, scenario.name, error));
    } finally {
      await stopAll(); // a failed or timed-out scenario leaves nothing running for the next one
    }
    console.error(`scenario ${scenario.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  await stopAll();
}

const header =
  `## pnpm bench${settings.quick ? " --quick" : ""} — ${new Date().toISOString()}\n\n${machine()}; ${settings.rounds} interleaved rounds after a warm-up; ` +
  `figures are medians of per-round values (min…max over rounds); "added" and ratios are taken per round against the same round's baseline.`;
const table = renderTable(rows, header);
console.log(table);
// A partial run (--only) prints its rows but leaves the last complete results in place; a quick run
// (CI) writes quick.* (git-ignored), so only full runs replace the published latest.*.
if (!selected)
  writeResults(new URL("bench/results/", root), settings.quick ? "quick" : "latest", table, {
    mode: settings.quick ? "quick" : "full",
    machine: machine(),
    rounds: settings.rounds,
    seconds: (performance.now() - started) / 1000,
    rows,
  });
const failed = rows.filter((r) => r.verdict === "FAIL");
if (failed.length > 0) {
  console.error(`could not run: ${failed.map((r) => r.id).join(", ")}`);
  // Missed targets are findings; a scenario that cannot run at all means the harness has rotted.
  if (settings.quick) exitCode = 1;
}
process.exit(exitCode);
