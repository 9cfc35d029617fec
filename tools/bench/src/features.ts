// Features: what each piece of the relay's own work costs, per relayed chat completion (JSON), in a
// Worker's isolate (default) or in Node (`--node`). Not part of the run; tools/bench/README.md
// ("What limits the missed targets") cites it.
//   node tools/bench/src/features.ts [--node] [--calls N] [--requests R] [--rounds K]
//
// Each variant runs `features-entry.ts`: N relayed calls in a loop inside each of R requests, against
// an upstream in memory (no network, so the differences are the gateway's own). On workerd, one
// process per variant serves it; with `--node`, a Node process per variant and round calls its
// `fetch` directly. Each variant is the gateway's sources bundled with one feature taken out by
// replacing its lines as the bundle is built (a loud failure when those lines moved); "none" takes
// them all out. Figures are µs of the process's CPU per call over the same loop without the gateway
// (`op=base`), medians of K rounds; each variant's difference from the whole relay is taken per round.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleEdited, type Edit, FEATURES } from "./feature-edits.ts";
import { startWorker, stopAll, type WorkerOnWorkerd } from "./processes.ts";
import { measuredCpu } from "./scenarios/workerd.ts";
import { fmtSummary, paired, summarize } from "./stats.ts";

const { values } = parseArgs({
  options: {
    node: { type: "boolean", default: false },
    calls: { type: "string", default: "200" },
    requests: { type: "string", default: "25" },
    rounds: { type: "string", default: "13" },
  },
  strict: true,
});
const [calls, requests, rounds] = [Number(values.calls), Number(values.requests), Number(values.rounds)];
const onNode = values.node;

const ENTRY = fileURLToPath(new URL("./features-entry.ts", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "features-"));

function bundle(name: string, edits: Edit[]): Promise<string> {
  return bundleEdited(ENTRY, join(out, `${name.replace(/\W+/g, "-")}.js`), edits, { node: onNode });
}

interface Variant {
  name: string;
  scriptPath: string;
  log?: boolean;
  /** `check`: the loop through the minimal checking relay instead of the gateway. */
  op?: "gw" | "check";
}
const whole = await bundle("whole", []);
const variants: Variant[] = [
  { name: "the whole relay (the request event not logged)", scriptPath: whole },
  // On Node the line goes to a pipe nobody reads; on workerd, to its structured-log pipe.
  { name: "+ the request event's console.log line", scriptPath: whole, log: true },
];
for (const [feature, edits] of Object.entries(FEATURES)) {
  variants.push({ name: `without ${feature}`, scriptPath: await bundle(feature, edits) });
}
variants.push({ name: "without any of these", scriptPath: await bundle("none", Object.values(FEATURES).flat()) });
variants.push({ name: "the minimal checking relay instead (checking-relay.ts)", scriptPath: whole, op: "check" });

const bindings = (log: boolean | undefined) => ({
  AUTH_MODE: "pass-through",
  CACHE_SALT: "bench-cache-salt-not-a-secret",
  // As in the scenarios: the model list stays fresh for the whole run, so no round pays for a refresh.
  CATALOG_FRESH_SECONDS: "3600",
  ...(log && { LOG: "console" }),
});
const over: number[][] = variants.map(() => []);
if (onNode) await measureOnNode();
else await measureOnWorkerd();

async function measureOnWorkerd(): Promise<void> {
  const workers: WorkerOnWorkerd[] = [];
  for (const { scriptPath, log } of variants) workers.push(await startWorker({ scriptPath, bindings: bindings(log) }));
  /** µs of workerd CPU per call of `op` in `worker`, over `requests` requests of `calls` calls. */
  async function perCall(worker: WorkerOnWorkerd, op: "gw" | "check" | "base"): Promise<number> {
    if (worker.pid === undefined) throw new Error("features: no workerd pid to measure");
    const { cpuMs } = await measuredCpu(worker.pid, async () => {
      for (let i = 0; i < requests; i++) {
        const response = await fetch(`${worker.url}/?op=${op}&n=${calls}`);
        const status = await response.text();
        if (status !== "200") throw new Error(`features: the gateway answered ${status}`);
      }
    });
    return (cpuMs * 1000) / (requests * calls);
  }
  for (const [index, worker] of workers.entries()) await perCall(worker, variants[index]!.op ?? "gw"); // warm: the model list, the JIT
  for (let round = 0; round < rounds; round++) {
    for (const [index, worker] of workers.entries()) {
      const base = await perCall(worker, "base");
      over[index]!.push((await perCall(worker, variants[index]!.op ?? "gw")) - base);
    }
  }
  await stopAll();
}

/** One Node process per variant and round: it warms up, then prints its CPU µs per call over base. */
async function measureOnNode(): Promise<void> {
  const script = `
    const { default: worker } = await import(process.argv[1]);
    const env = JSON.parse(process.argv[2]);
    const [requests, calls, op] = [Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
    async function perCall(op) {
      const before = process.cpuUsage();
      for (let i = 0; i < requests; i++) {
        const status = await (await worker.fetch(new Request("http://features/?op=" + op + "&n=" + calls), env)).text();
        if (status !== "200") throw new Error("features: the gateway answered " + status);
      }
      const used = process.cpuUsage(before);
      return (used.user + used.system) / (requests * calls);
    }
    await perCall(op); await perCall("base"); // warm: the model list, the JIT
    const base = await perCall("base");
    process.stdout.write(String((await perCall(op)) - base));`;
  for (let round = 0; round < rounds; round++) {
    for (const [index, { scriptPath, log, op = "gw" }] of variants.entries()) {
      const argv = [
        "--input-type=module",
        "-e",
        script,
        scriptPath,
        JSON.stringify(bindings(log)),
        `${requests}`,
        `${calls}`,
        op,
      ];
      // The log variant's lines go to a pipe that is read and dropped.
      over[index]!.push(
        Number(
          execFileSync(process.execPath, argv, { encoding: "utf8", maxBuffer: 1 << 30 })
            .trim()
            .split("\n")
            .pop(),
        ),
      );
    }
  }
}

console.log(
  `${onNode ? "Node" : "workerd"} CPU per relayed chat completion (JSON) in a loop, in-memory upstream; ${rounds} rounds × ${requests} requests × ${calls} calls, medians (min…max):\n`,
);
console.log("| variant | µs per call over the loop without the gateway | against the whole relay, per round |");
console.log("| --- | --- | --- |");
const reference = over[0]!;
for (const [index, { name }] of variants.entries()) {
  const values = over[index]!;
  const against = paired(values, reference, (a, b) => a - b);
  const sign = against.median >= 0 ? "+" : "";
  const cell = index === 0 ? "—" : `${sign}${fmtSummary(against, 0)}`;
  console.log(`| ${name} | ${fmtSummary(summarize(values), 0)} | ${cell} |`);
}
process.exit(0);
