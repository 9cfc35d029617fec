// Instructions per relayed request: what the whole workerd process executes for one chat completion
// (JSON, or with --stream an SSE answer; concurrency 1), counted by Valgrind's callgrind, for the
// one-line Worker, the minimal checking Worker and the gateway's Worker (and the variants
// weighed-workers.ts makes). Time on a shared 2-core machine drifts 15-20 % between runs; an
// instruction count repeats to about 1 % (the garbage collector's timing is what still moves), so
// a change of a few µs can be weighed. Each iteration of a `rep` fill or copy counts once, so large
// memsets and memcpys weigh more than their time.
// It counts user-space instructions only: the kernel's share (sockets, the log's write) is not in it,
// and an instruction is not a fixed time (cache misses differ). Not part of the run;
// tools/bench/README.md ("What limits the missed targets") cites it.
//   node tools/bench/src/instructions.ts [--requests N] [--warm W] [--rounds K] [--bundle path/to/worker.js]
//     [--without all|<piece>]... [--compare other/worker.js]... [--env NAME=VALUE]... [--stream CHUNKS]
// Each Worker runs in its own workerd process under callgrind (Debian: valgrind), with V8 in one
// thread (`--single-threaded`: no background compiler whose progress depends on timing), warmed
// with W requests before counting starts, so the JIT has settled; then N requests are counted.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { workerdBinary } from "@baseten-edge/harness/workerd";
import { createClient, sequential } from "./http.ts";
import { startUpstream, stopAll } from "./processes.ts";
import { chatCall } from "./scenarios/workerd.ts";
import { fmt, fmtSummary, median, paired, summarize } from "./stats.ts";
import { VARIANT_OPTIONS, weighedWorkers } from "./weighed-workers.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "300" },
    warm: { type: "string", default: "1500" },
    rounds: { type: "string", default: "2" },
    ...VARIANT_OPTIONS,
    stream: { type: "string", default: "0" },
  },
  strict: true,
});
const [requests, warm, rounds] = [Number(values.requests), Number(values.warm), Number(values.rounds)];
/** Content chunks per streamed answer (2 ms apart, as in scenario 4); 0: the JSON answer of scenario 3. */
const chunks = Number(values.stream);

try {
  // callgrind_annotate exits non-zero even for --version: its siblings stand for the package.
  for (const tool of ["valgrind", "callgrind_control"]) execFileSync(tool, ["--version"], { stdio: "ignore" });
} catch {
  throw new Error("instructions needs Valgrind's callgrind on PATH (Debian: apt-get install valgrind)");
}

/** Where each symbol's instructions go, by its name (the first match wins). */
const CATEGORIES: [string, RegExp][] = [
  ["JavaScript, optimised (JIT code)", /^\?\?\?:0x/],
  ["JavaScript, V8 built-ins and interpreter", /Builtins_/],
  [
    "V8 garbage collection and handles",
    /Scaveng|MarkCompact|Sweep|Marking|Evacuat|cppgc|GlobalHandles|HeapTracer|IsUnmodifiedApiObject|Traced|visitForGc|Heap::|MinorMS|RememberedSet|SlotSet/,
  ],
  ["V8 compiler", /v8::internal::(compiler|maglev|baseline|interpreter|Compiler|turboshaft|Parser|Scanner|Zone)/],
  ["V8 runtime (objects, strings, API calls)", /v8::/],
  ["workerd's Web APIs and bindings (Request, Headers, fetch…)", /workerd::(api|jsg)::|_ZN7workerd3jsg|_ZZ+N7workerd/],
  ["workerd's I/O and event loop (kj, capnp)", /\bkj::|capnp::|workerd::/],
  ["HTTP and sockets (hyper, tokio)", /hyper|tokio|rust|http::|futures/],
  ["memory (malloc, memcpy)", /tcmalloc|malloc|\bfree\b|operator new|operator delete|memmove|memcpy|memset|memcmp/],
  ["other", /./],
];

const out = mkdtempSync(join(tmpdir(), "instructions-"));
const dumps = join(out, "dumps");
mkdirSync(dumps);
// Miniflare starts workerd through this wrapper (MINIFLARE_WORKERD_PATH), with callgrind counting
// nothing until it is switched on.
const workerd = workerdBinary();
const wrapper = join(out, "workerd-under-callgrind");
writeFileSync(
  wrapper,
  `#!/bin/sh\nexec valgrind --tool=callgrind --instr-atstart=no --smc-check=all-non-file --callgrind-out-file=${dumps}/%p --log-file=${dumps}/%p.log "${workerd}" "$@"\n`,
);
chmodSync(wrapper, 0o755);
process.env.MINIFLARE_WORKERD_PATH = wrapper;
process.env.MINIFLARE_WORKERD_V8_FLAGS = "--single-threaded";

/** The callgrind processes running now (their command line names this run's dump directory). */
function callgrindPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, "utf8").includes(dumps);
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

const upstream = await startUpstream({ models: 0, chunks: chunks || 64, chunkDelayMs: chunks ? 2 : 0 });
const starters = await weighedWorkers(upstream, values, out);
// The checking Worker reads a JSON answer: it has no streamed counterpart.
if (chunks) delete starters["checking Worker"];
const call = chatCall(chunks > 0);
const names = Object.keys(starters);
/** Per Worker, each round's instructions per request: in all, and by category. */
const counted = new Map(names.map((name) => [name, [] as Map<string, number>[]]));

/** One round of one Worker: a fresh process, warmed, then `requests` requests counted. */
async function countOnce(name: string): Promise<void> {
  const before = new Set(callgrindPids());
  const worker = await starters[name]!();
  const pid = callgrindPids().find((p) => !before.has(p));
  if (pid === undefined) throw new Error("instructions: no callgrind process for the Worker");
  const client = createClient(worker.url);
  await sequential(client, "/v1/chat/completions", call, warm);
  const control = (...args: string[]) => execFileSync("callgrind_control", [...args, String(pid)], { stdio: "ignore" });
  control("--instr=on");
  await sequential(client, "/v1/chat/completions", call, requests);
  control("--instr=off");
  control("--dump");
  client.close();
  await worker.stop();
  const byCategory = new Map<string, number>();
  for (const file of readdirSync(dumps).filter((f) => f.startsWith(`${pid}.`) && !f.endsWith(".log"))) {
    addDump(join(dumps, file), byCategory);
  }
  counted.get(name)!.push(byCategory);
}

/** Adds one dump's instructions per request, by category, to `into`. */
function addDump(file: string, into: Map<string, number>): void {
  const text = execFileSync("callgrind_annotate", ["--inclusive=no", "--threshold=100", file], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  for (const line of text.split("\n")) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!match || match[2]!.includes("PROGRAM TOTALS")) continue;
    const [category] = CATEGORIES.find(([, pattern]) => pattern.test(match[2]!))!;
    into.set(category, (into.get(category) ?? 0) + Number(match[1]!.replaceAll(",", "")) / requests);
  }
}

// Rounds alternate the Workers, as every A/B comparison here does.
for (let round = 0; round < rounds; round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) await countOnce(name);
}
await stopAll();

const total = (byCategory: Map<string, number>) => [...byCategory.values()].reduce((a, b) => a + b, 0);
const totals = (name: string) => counted.get(name)!.map(total);
const thousands = (n: number) => fmt(n / 1000, 0);
console.log(
  `workerd instructions per relayed chat completion (${chunks ? `SSE, ${chunks} content chunks` : "JSON"}, concurrency 1), counted by callgrind; ${rounds} rounds × ${requests} requests after ${warm} to warm, a fresh process per Worker and round.\n`,
);
const bases = ["one-line Worker", "checking Worker"].filter((base) => counted.has(base));
console.log(
  `| Worker | thousand instructions per request, median (min…max) | ${bases.map((b) => `× the ${b}`).join(" | ")} |`,
);
console.log(`| --- | --- | ${bases.map(() => "---").join(" | ")} |`);
for (const name of names) {
  const against = (base: string) => fmtSummary(paired(totals(name), totals(base), (a, b) => a / b));
  const row = summarize(totals(name).map((n) => n / 1000));
  console.log(`| ${name} | ${fmtSummary(row, 0)} | ${bases.map(against).join(" | ")} |`);
}
console.log(`\nBy layer (thousand instructions per request, medians):\n`);
console.log(`| where | ${names.join(" | ")} |`);
console.log(`| --- | ${names.map(() => "---").join(" | ")} |`);
for (const [category] of CATEGORIES) {
  const cells = names.map((name) => median(counted.get(name)!.map((byCategory) => byCategory.get(category) ?? 0)));
  if (cells.every((cell) => cell < 500)) continue;
  console.log(`| ${category} | ${cells.map(thousands).join(" | ")} |`);
}
process.exit(0);
