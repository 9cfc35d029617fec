// Scenarios 8 and 9: bundle sizes (the packages' own size scripts) and `pnpm generate` vs openapi-typescript alone.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { load, selectPaths, specFile, specs } from "../../../../packages/core/scripts/generate.ts";
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

/** One row of a size script's `--json` (core's and the Worker's): exact bytes and the budget they are held to. */
interface SizeRow {
  label: string;
  bytes: number;
  budget: number | null;
}

/** The row labelled `label` in a size script's JSON output. */
function sizeRow(rows: readonly SizeRow[], label: string): SizeRow {
  const row = rows.find((r) => r.label === label);
  if (!row) throw new Error(`size.ts --json has no "${label}" row: ${JSON.stringify(rows)}`);
  return row;
}

const kB = (bytes: number) => (bytes / 1024).toFixed(2);

/**
 * 8: reuses packages/core/scripts/size.ts and apps/worker/scripts/size.ts (both need `pnpm build` first),
 * each with `--json`: both verdicts are taken on exact bytes. Core's is held to size.ts's own budget, so
 * the bench and `pnpm size` cannot disagree.
 */
export async function bundleSizes(): Promise<Row[]> {
  const core = await output(process.execPath, ["packages/core/scripts/size.ts", "--json"], 120_000);
  const workerRows = JSON.parse(
    await output(process.execPath, ["apps/worker/scripts/size.ts", "--json"], 60_000),
  ) as SizeRow[];
  const worker = sizeRow(workerRows, "worker bundle (gzip)");
  const rows = JSON.parse(core) as SizeRow[];
  const baseline = sizeRow(rows, "openapi-fetch (whole package, baseline)").bytes;
  const clients = sizeRow(rows, "core: both clients + errors");
  // The target is the issue's; size.ts holds the same one: a drift between the two should fail loudly, not pass.
  if (clients.budget !== baseline + 3 * 1024)
    throw new Error(`size.ts budgets "${clients.label}" at ${clients.budget} B, not openapi-fetch + 3 kB`);
  const delta = clients.bytes - baseline;
  const workerLimit = 50 * 1024;
  return [
    {
      id: "8a",
      scenario: "bundle: core, both clients + errors (min+gzip)",
      baseline: "openapi-fetch (min+gzip)",
      measured: `${kB(clients.bytes)} kB = ${clients.bytes} B (${delta >= 0 ? "+" : ""}${delta} B; budget ${clients.budget} B)`,
      reference: `${kB(baseline)} kB = ${baseline} B`,
      target: "≤ openapi-fetch + 3 kB (3072 B)",
      verdict: verdict(clients.bytes <= clients.budget),
      raw: { coreBytes: clients.bytes, openapiFetchBytes: baseline, budgetBytes: clients.budget, sizeScript: rows },
    },
    {
      id: "8b",
      scenario: "bundle: apps/worker/dist/index.js (gzip)",
      baseline: "—",
      measured: `${kB(worker.bytes)} KiB = ${worker.bytes} B`,
      reference: "",
      target: `≤ 50 KiB gzip (${workerLimit} B)`,
      verdict: verdict(worker.bytes <= workerLimit),
      raw: { workerGzipBytes: worker.bytes, sizeScript: workerRows },
    },
  ];
}

/** One spec as both sides of scenario 9 see it: the file the CLI reads and the module `pnpm generate` writes. */
interface SpecInput {
  /** What the CLI is given: the spec itself, or the cut `pnpm generate` types, written to a temporary file. */
  cliInput: string;
  /** The module `pnpm generate` writes for it. */
  generated: string;
  /** The paths `pnpm generate` types: every path, or the cut. */
  paths: number;
}

/**
 * Each spec `pnpm generate` types, cut exactly as it cuts it (generate.ts's own `selectPaths`), so the CLI
 * types the same input: the whole management document has ~40× the paths core wraps.
 */
async function cliInputs(dir: string): Promise<SpecInput[]> {
  const inputs: SpecInput[] = [];
  for (const [i, target] of specs.entries()) {
    const file = specFile(target.base);
    const generated = join(root, "packages/core/src/generated", target.out);
    const doc = await load(file);
    if (!target.paths) {
      inputs.push({ cliInput: file, generated, paths: Object.keys((doc.paths as object | undefined) ?? {}).length });
      continue;
    }
    const cliInput = join(dir, `cut-${i}.json`);
    writeFileSync(cliInput, JSON.stringify(selectPaths(doc, target.paths, file)));
    inputs.push({ cliInput, generated, paths: target.paths.length });
  }
  return inputs;
}

/** The keys of the `paths` interface of an openapi-typescript module: the paths it types. */
function typedPaths(module: string): string[] {
  const start = module.indexOf("export interface paths {\n");
  const end = module.indexOf("\n}\n", start);
  if (start < 0 || end < 0) throw new Error("no `export interface paths { … }` in the module");
  return [...module.slice(start, end).matchAll(/^ {4}"([^"]+)": \{$/gm)].map((match) => match[1]!);
}

/** Throws unless the CLI's module and `pnpm generate`'s type the same paths: the comparison must not drift. */
function assertSamePaths(inputs: readonly SpecInput[], cliOutput: (i: number) => string): void {
  for (const [i, input] of inputs.entries()) {
    const ours = typedPaths(readFileSync(input.generated, "utf8")).sort();
    const theirs = typedPaths(readFileSync(cliOutput(i), "utf8")).sort();
    if (ours.length !== input.paths || ours.join("\n") !== theirs.join("\n"))
      throw new Error(
        `${input.generated} types ${ours.length} paths, the CLI on ${input.cliInput} ${theirs.length}: not the same input`,
      );
  }
}

/** 9: `pnpm generate` (no cache: it regenerates every time, what CI pays) vs the openapi-typescript CLI on the same input. */
export async function generateTime(settings: Settings): Promise<Row[]> {
  // The package's exports map hides bin/; its package.json is exported and sits next to it.
  const cli = join(dirname(createRequire(import.meta.url).resolve("openapi-typescript/package.json")), "bin/cli.js");
  const out = mkdtempSync(join(tmpdir(), "bench-openapi-"));
  const seconds = async (work: () => Promise<unknown>) => (await elapsedMs(work)) / 1000;
  const cliOutput = (i: number) => join(out, `${i}.ts`);
  try {
    // Cut once, before the clock: the CLI is not charged for the cut, `pnpm generate` is.
    const inputs = await cliInputs(out);
    const runs = await interleave(settings.rounds, {
      generate: () => seconds(() => output("pnpm", ["-s", "generate"], 180_000)),
      openapiTypescript: () =>
        seconds(async () => {
          // generate.ts's options: alphabetize and exportType are the CLI's defaults, defaultNonNullable is not.
          for (const [i, { cliInput }] of inputs.entries())
            await output(
              process.execPath,
              [cli, cliInput, "-o", cliOutput(i), "--default-non-nullable=false"],
              120_000,
            );
        }),
    });
    assertSamePaths(inputs, cliOutput);
    const ratio = paired(runs.generate, runs.openapiTypescript, (a, b) => a / b);
    const typed = inputs.map((input) => input.paths).join(" + ");
    return [
      {
        id: "9",
        scenario: "`pnpm generate` (no cache, as in CI)",
        baseline: `openapi-typescript CLI on the same input (the two specs as generate cuts them, ${typed} paths, cut beforehand), one after the other`,
        measured: `${fmtSummary(summarize(runs.generate), 2, " s")} = ${fmtSummary(ratio)}×`,
        reference: fmtSummary(summarize(runs.openapiTypescript), 2, " s"),
        target: "≤ 1.2× its time",
        verdict: verdict(ratio.median <= 1.2),
        raw: { generateSeconds: runs.generate, openapiTypescriptSeconds: runs.openapiTypescript, typedPaths: typed },
      },
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
