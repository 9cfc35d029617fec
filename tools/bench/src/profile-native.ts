// Native profile: where workerd's whole process spends its CPU on relayed chat completions (JSON) at
// concurrency 1, for the one-line Worker, the minimal checking Worker (checking-relay.ts) and the
// gateway's Worker, from Linux `perf` samples of each process (kernel, runtime C++, V8, JavaScript).
// V8's own profiler (profile-workerd.ts) sees only the isolate's JavaScript and distorts calls into
// the runtime; this sees everything the process's CPU figure counts. Not part of the run;
// tools/bench/README.md ("What limits the missed targets") cites it.
//   node tools/bench/src/profile-native.ts [--requests N] [--rounds K] [--bundle path/to/worker.js]
//     [--without all|<piece>]... [--compare other/worker.js]... [--env NAME=VALUE]...
// Each `--without` adds the gateway's Worker built without one piece of the relay's own work (words
// of its name in feature-edits.ts, such as "firewall"), or without all of them; each
// `--compare` another gateway bundle (a change to weigh); each `--env` the gateway with one more
// binding (such as REQUEST_LOG=errors). Every round starts each Worker in a fresh workerd process:
// one process's CPU per request drifts by 15-20 % over its life and from one process to the next,
// more than most differences worth weighing, so a single process per Worker would measure its luck.
// Needs `perf` (Debian: linux-perf) and the right to profile another process (root, or
// kernel.perf_event_paranoid <= 1). The Worker bundle defaults to apps/worker/dist (`./run bench` builds it).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient, sequential } from "./http.ts";
import { cpuMs, startUpstream, stopAll } from "./processes.ts";
import { chatCall } from "./scenarios/workerd.ts";
import { fmtSummary, paired, summarize } from "./stats.ts";
import { VARIANT_OPTIONS, weighedWorkers } from "./weighed-workers.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
    ...VARIANT_OPTIONS,
  },
  strict: true,
});
const [requests, rounds] = [Number(values.requests), Number(values.rounds)];
/** Samples per second per CPU; one sample then stands for 1/FREQUENCY s of CPU. */
const FREQUENCY = 4999;

try {
  execFileSync("perf", ["--version"], { stdio: "ignore" });
} catch {
  throw new Error("profile-native needs `perf` on PATH (Debian: apt-get install linux-perf)");
}

/** What a sample's symbol is, by its shared object and name. */
const CATEGORIES: [string, (dso: string, symbol: string) => boolean][] = [
  ["kernel", (dso) => dso.startsWith("[kernel")],
  ["JavaScript, optimised (JIT code)", (dso) => dso.startsWith("[JIT]")],
  ["JavaScript, V8 built-ins and interpreter", (_, s) => s.startsWith("Builtins_")],
  [
    "V8 garbage collection and handles",
    (_, s) =>
      /Scaveng|MarkCompact|Sweep|Marking|Evacuat|cppgc|GlobalHandles|HeapTracer|IsUnmodifiedApiObject|Traced/.test(s),
  ],
  ["V8 runtime (objects, strings, API calls)", (_, s) => s.includes("v8::")],
  ["workerd's Web APIs and bindings (Request, Headers, fetch…)", (_, s) => /workerd::(api|jsg)::/.test(s)],
  ["workerd's I/O and event loop (kj, capnp, workerd)", (_, s) => /\bkj::|capnp::|workerd::/.test(s)],
  ["HTTP and sockets (hyper, tokio)", (_, s) => /hyper|tokio|kj_rs|http::|futures/.test(s)],
  ["memory (malloc, memcpy)", (_, s) => /tcmalloc|TCMalloc|malloc|memmove|memcpy|memset/.test(s)],
  ["other", () => true],
];
const categoryOf = (dso: string, symbol: string) => CATEGORIES.find(([, test]) => test(dso, symbol))?.[0] ?? "other";

interface Samples {
  byCategory: Map<string, number>;
  bySymbol: Map<string, number>;
}

/** Adds the samples of one `perf record` file to `into`. */
function readSamples(file: string, into: Samples): void {
  const text = execFileSync(
    "perf",
    ["report", "-i", file, "--no-children", "--sort", "dso,sym", "-g", "none", "-F", "sample,dso,sym", "-t", "|"],
    { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] },
  );
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.trim()) continue;
    const [count, dso = "", sym = ""] = line.split("|").map((field) => field.trim());
    const symbol = sym.replace(/^\[.\]\s*/, "");
    const samples = Number(count);
    if (!Number.isFinite(samples)) continue;
    const category = categoryOf(dso, symbol);
    into.byCategory.set(category, (into.byCategory.get(category) ?? 0) + samples);
    const name = dso.startsWith("[JIT]") ? "(JavaScript, JIT code)" : symbol.slice(0, 110);
    into.bySymbol.set(name, (into.bySymbol.get(name) ?? 0) + samples);
  }
}

const out = mkdtempSync(join(tmpdir(), "profile-native-"));
const upstream = await startUpstream({ models: 0 });
/** How each Worker starts: once per round, in a fresh process. */
const starters = await weighedWorkers(upstream, values, out);
const call = chatCall(false);
const names = Object.keys(starters);
const samples = new Map(names.map((name) => [name, { byCategory: new Map(), bySymbol: new Map() } as Samples]));
/** Each round's CPU per request (schedstat, µs), per Worker: the spread behind the sums. */
const perRound = new Map(names.map((name) => [name, [] as number[]]));

/** One round of one Worker: a fresh process, warmed, then `requests` requests under `perf record`. */
async function profileOnce(name: string, file: string): Promise<void> {
  const worker = await starters[name]!();
  const { pid } = worker;
  if (pid === undefined) throw new Error("profile-native: no workerd pid to profile");
  const client = createClient(worker.url);
  await sequential(client, "/v1/chat/completions", call, 800); // warm: the model list, the JIT
  const perf = spawn("perf", ["record", "-F", String(FREQUENCY), "-o", file, "-p", String(pid)], { stdio: "ignore" });
  await new Promise((resolve) => setTimeout(resolve, 300)); // perf attaches
  const before = cpuMs(pid);
  await sequential(client, "/v1/chat/completions", call, requests);
  perRound.get(name)!.push(((cpuMs(pid) - before) * 1000) / requests);
  perf.kill("SIGINT");
  await new Promise((resolve) => perf.once("exit", resolve));
  client.close();
  await worker.stop();
  readSamples(file, samples.get(name)!);
}

// Rounds alternate the Workers, so a drift of the machine falls on each of them alike.
for (let round = 0; round < rounds; round++) {
  for (const [index, name] of names.entries()) await profileOnce(name, join(out, `${round}-${index}.data`));
}
await stopAll();

const total = requests * rounds;
const us = (count: number) => (count * 1e6) / FREQUENCY / total;
const all = names.map((name) => samples.get(name)!);
const checking = samples.get("checking Worker")!;
const cell = (n: number) => n.toFixed(0);
const signed = (n: number) => `${n >= 0 ? "+" : ""}${cell(n)}`;
const sum = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
console.log(
  `workerd CPU per relayed chat completion (JSON, concurrency 1), from perf samples at ${FREQUENCY} Hz; ${rounds} rounds × ${requests} requests, a fresh process per Worker and round.\n`,
);
const gateways = names.slice(2);
console.log(`| where | ${names.join(" | ")} | ${gateways.map((g) => `${g} − checking`).join(" | ")} |`);
console.log(`| --- | ${names.map(() => "---").join(" | ")} | ${gateways.map(() => "---").join(" | ")} |`);
for (const [category] of CATEGORIES) {
  const cells = all.map((s) => us(s.byCategory.get(category) ?? 0));
  if (cells.every((c) => c < 1)) continue;
  const over = cells.slice(2).map((c) => signed(c - cells[1]!));
  console.log(`| ${category} | ${cells.map(cell).join(" | ")} | ${over.join(" | ")} |`);
}
const totals = all.map((s) => us(sum(s.byCategory)));
const overTotals = totals.slice(2).map((t) => signed(t - totals[1]!));
console.log(`| **all (µs per request, sampled)** | ${totals.map(cell).join(" | ")} | ${overTotals.join(" | ")} |`);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const cpu = names.map((name) => mean(perRound.get(name)!));
console.log(
  `| CPU per request while profiled (schedstat) | ${cpu.map(cell).join(" | ")} | ${cpu
    .slice(2)
    .map((c) => signed(c - cpu[1]!))
    .join(" | ")} |`,
);

console.log(
  `| CPU per request per round, median (min…max) | ${names.map((name) => fmtSummary(summarize(perRound.get(name)!), 0)).join(" | ")} | ${gateways
    .map((name) =>
      fmtSummary(
        paired(perRound.get(name)!, perRound.get("checking Worker")!, (a, b) => a - b),
        0,
      ),
    )
    .join(" | ")} |`,
);

const gateway = samples.get("gateway")!;
console.log("\nSymbols that grow most from the checking Worker to the gateway (µs per request, sampled):\n");
console.log("| symbol | checking Worker | gateway | difference |");
console.log("| --- | --- | --- | --- |");
const symbols = new Set([...checking.bySymbol.keys(), ...gateway.bySymbol.keys()]);
const growth = (symbol: string) => (gateway.bySymbol.get(symbol) ?? 0) - (checking.bySymbol.get(symbol) ?? 0);
for (const symbol of [...symbols].sort((a, b) => growth(b) - growth(a)).slice(0, 20)) {
  const [b, c] = [checking, gateway].map((s) => us(s.bySymbol.get(symbol) ?? 0)) as [number, number];
  console.log(`| \`${symbol.replaceAll("|", "\\|")}\` | ${b.toFixed(1)} | ${c.toFixed(1)} | +${(c - b).toFixed(1)} |`);
}
process.exit(0);
