// Scenarios 8 and 9: bundle sizes (the packages' own size scripts) and `pnpm generate` vs openapi-typescript alone.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { elapsedMs, fmtSummary, interleave, paired, summarize } from "../stats.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../../", import.meta.url));

/** Runs a command from the repository root; its output whether it exits 0 or not (size scripts exit 1 when over budget). */
async function output(command: string, args: string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd: root, timeout: timeoutMs, maxBuffer: 1 << 24 });
    return stdout;
  } catch (error) {
    const { stdout, killed } = error as { stdout?: string; killed?: boolean };
    if (killed || !stdout) throw error;
    return stdout;
  }
}

/** The number before `unit` on the line that starts with `label`. */
function figure(text: string, label: string, unit: string): number {
  const line = text.split("\n").find((l) => l.startsWith(label));
  const value = line && new RegExp(`([\\d.]+) ${unit}`).exec(line)?.[1];
  if (!value) throw new Error(`no "${label}" figure in:\n${text}`);
  return Number(value);
}

/** 8: reuses packages/core/scripts/size.ts and apps/worker/scripts/size.ts (both need `pnpm build` first). */
export async function bundleSizes(): Promise<Row[]> {
  const core = await output(process.execPath, ["packages/core/scripts/size.ts"], 120_000);
  const worker = await output(process.execPath, ["apps/worker/scripts/size.ts"], 60_000);
  const baseline = figure(core, "openapi-fetch (whole package, baseline)", "kB");
  const clients = figure(core, "core: both clients + errors", "kB");
  const workerGzip = figure(worker, "worker bundle:", "KiB gzip");
  return [
    {
      id: "8a",
      scenario: "bundle: core, both clients + errors (min+gzip)",
      baseline: "openapi-fetch (min+gzip)",
      measured: `${clients.toFixed(2)} kB (${clients >= baseline ? "+" : ""}${(clients - baseline).toFixed(2)} kB)`,
      reference: `${baseline.toFixed(2)} kB`,
      target: "≤ openapi-fetch + 3 kB",
      verdict: verdict(clients <= baseline + 3),
      raw: { coreKb: clients, openapiFetchKb: baseline, sizeScript: core },
    },
    {
      id: "8b",
      scenario: "bundle: apps/worker/dist/index.js (gzip)",
      baseline: "—",
      measured: `${workerGzip.toFixed(2)} KiB`,
      reference: "",
      target: "≤ 50 KiB gzip",
      verdict: verdict(workerGzip <= 50),
      raw: { workerGzipKiB: workerGzip, sizeScript: worker },
    },
  ];
}

const SPECS = ["openapi/baseten/management.json", "openapi/baseten/inference.json"];

/** 9: `pnpm generate` (no cache: it regenerates every time, what CI pays) vs the openapi-typescript CLI on the same specs. */
export async function generateTime(settings: Settings): Promise<Row[]> {
  // The package's exports map hides bin/; its package.json is exported and sits next to it.
  const cli = join(dirname(createRequire(import.meta.url).resolve("openapi-typescript/package.json")), "bin/cli.js");
  const out = mkdtempSync(join(tmpdir(), "bench-openapi-"));
  const seconds = async (work: () => Promise<unknown>) => (await elapsedMs(work)) / 1000;
  try {
    const runs = await interleave(settings.rounds, {
      generate: () => seconds(() => output("pnpm", ["-s", "generate"], 180_000)),
      openapiTypescript: () =>
        seconds(async () => {
          for (const [i, spec] of SPECS.entries())
            await output(process.execPath, [cli, spec, "-o", join(out, `${i}.ts`)], 120_000);
        }),
    });
    const ratio = paired(runs.generate, runs.openapiTypescript, (a, b) => a / b);
    return [
      {
        id: "9",
        scenario: "`pnpm generate` (no cache, as in CI)",
        baseline: "openapi-typescript CLI on the same two specs, one after the other",
        measured: `${fmtSummary(summarize(runs.generate), 2, " s")} = ${fmtSummary(ratio)}×`,
        reference: fmtSummary(summarize(runs.openapiTypescript), 2, " s"),
        target: "≤ 1.2× its time",
        verdict: verdict(ratio.median <= 1.2),
        raw: { generateSeconds: runs.generate, openapiTypescriptSeconds: runs.openapiTypescript },
      },
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
