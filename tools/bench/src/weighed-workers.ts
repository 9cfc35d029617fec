// The Workers that profile-native.ts and instructions.ts weigh against each other: the one-line
// Worker, the minimal checking Worker and the gateway's Worker, plus the variants asked for on the
// command line (the gateway without pieces of its own work, other bundles, other bindings).
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ParseArgsOptionsConfig } from "node:util";
import { bundleEdited, FEATURES } from "./feature-edits.ts";
import type { Upstream, WorkerOnWorkerd } from "./processes.ts";
import { startCheckingWorker, startGatewayWorker, startOneLineWorker, WORKER_BUNDLE } from "./scenarios/workerd.ts";

export interface Variants {
  /** The gateway's bundle (default: apps/worker/dist). */
  bundle?: string | undefined;
  /** Pieces of the relay's own work to take out, one Worker each: words of a name in feature-edits.ts, or "all". */
  without?: string[];
  /** Other gateway bundles, one Worker each. */
  compare?: string[];
  /** `NAME=VALUE` bindings, one gateway Worker each with that binding added. */
  env?: string[];
}

/** The command-line options that choose the variants (`parseArgs`), in the shape `Variants` reads. */
export const VARIANT_OPTIONS = {
  bundle: { type: "string", default: WORKER_BUNDLE },
  compare: { type: "string", multiple: true, default: [] as string[] },
  env: { type: "string", multiple: true, default: [] as string[] },
  without: { type: "string", multiple: true, default: [] as string[] },
} satisfies ParseArgsOptionsConfig;

/**
 * How each Worker starts (once per round, in a fresh process), by name: "one-line Worker",
 * "checking Worker", "gateway", then one per variant. Edited bundles are built into `out`.
 */
export async function weighedWorkers(
  upstream: Upstream,
  variants: Variants,
  out: string,
): Promise<Record<string, () => Promise<WorkerOnWorkerd>>> {
  const bundle = variants.bundle ?? WORKER_BUNDLE;
  const starters: Record<string, () => Promise<WorkerOnWorkerd>> = {
    "one-line Worker": () => startOneLineWorker(upstream),
    "checking Worker": () => startCheckingWorker(upstream),
    gateway: () => startGatewayWorker(upstream, bundle),
  };
  for (const piece of variants.without ?? []) {
    const edited = await workerWithout(piece, out);
    starters[`gateway without ${piece}`] = () => startGatewayWorker(upstream, edited);
  }
  for (const other of variants.compare ?? []) {
    starters[`gateway (${basename(other)})`] = () => startGatewayWorker(upstream, other);
  }
  for (const binding of variants.env ?? []) {
    const [name = "", value = ""] = binding.split("=", 2);
    starters[`gateway, ${name}=${value}`] = () => startGatewayWorker(upstream, bundle, { [name]: value });
  }
  return starters;
}

/** The Worker's bundle without `piece` ("all": every piece in FEATURES), built into `out`. */
function workerWithout(piece: string, out: string): Promise<string> {
  const matching = Object.keys(FEATURES).filter((name) => piece === "all" || name.includes(piece));
  if (matching.length === 0) throw new Error(`no piece named like "${piece}" in feature-edits.ts`);
  return bundleEdited(
    fileURLToPath(new URL("../../../apps/worker/src/index.ts", import.meta.url)),
    join(out, `without-${piece.replace(/\W+/g, "-")}.js`),
    matching.flatMap((name) => FEATURES[name]!),
    { minify: true },
  );
}
