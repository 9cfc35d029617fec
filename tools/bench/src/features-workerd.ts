// Features: what each piece of the relay's own work costs in a Worker's isolate, per relayed chat
// completion (JSON). Not part of the run; tools/bench/README.md ("What limits the missed targets")
// cites it.
//   node tools/bench/src/features-workerd.ts [--calls N] [--requests R] [--rounds K]
//
// One workerd process per variant runs `features-entry.ts`: N relayed calls in a loop inside each of
// R requests, against an upstream in the isolate's memory (no network, so the differences are the
// gateway's own). Each variant is the gateway's sources bundled with one feature taken out by
// replacing its lines as the bundle is built (a loud failure when those lines moved); "none" takes
// them all out. Figures are µs of workerd CPU per call over the same loop without the gateway
// (`op=base`), medians of K rounds; each variant's difference from the whole relay is taken per round.
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { cpuMs, startWorker, stopAll, type WorkerOnWorkerd } from "./processes.ts";
import { median } from "./stats.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const calls = option("--calls", 200);
const requests = option("--requests", 25);
const rounds = option("--rounds", 13);

/** One source edit: in `file` (under packages/gateway/src), `from` (found exactly once) becomes `to`. */
interface Edit {
  file: string;
  from: string;
  to: string;
}

const RELAY = "relay/relay.ts";
const FEATURES: Record<string, Edit[]> = {
  "response-header firewall": [
    {
      file: RELAY,
      from: "headers: relayedResponseHeaders(upstream.headers) }",
      to: 'headers: new Headers({ "content-type": upstream.headers.get("content-type") ?? "" }) }',
    },
  ],
  "first-byte and idle timers": [
    {
      file: RELAY,
      from: "const firstByte = setTimeout(() => upstreamAbort.abort(new FirstByteTimeout()), settings.firstByteTimeoutMs);",
      to: "const firstByte = undefined;",
    },
    {
      file: RELAY,
      from: "const idle = setTimeout(() => sent.upstreamAbort.abort(), deps.settings.idleTimeoutMs);",
      to: "const idle = undefined;",
    },
  ],
  "caller id (HMAC-SHA256 of the key)": [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text to find, not a template
    { file: "auth.ts", from: "id: this.signNow(`key:${given.key}`),", to: 'id: "constant",' },
  ],
  "usage and exact cost from the answer": [
    { file: RELAY, from: "usage = protocol.bodyUsage(JSON.parse(utf8.decode(bytes)));", to: "usage = null;" },
  ],
  "core's retry loop": [
    {
      file: RELAY,
      from: "upstream = await sendWithRetries(deps.policy, false, upstreamAbort.signal, (signal) => {",
      to: "upstream = await settings.fetch((() => { const signal = upstreamAbort.signal;",
    },
    {
      file: RELAY,
      from: 'return new Request(url, { method: "POST", headers, body, signal });\n    });',
      to: 'return new Request(url, { method: "POST", headers, body, signal });\n    })());',
    },
  ],
  "client-abort listener": [
    {
      file: RELAY,
      from: 'request.signal.addEventListener("abort", onClientAbort, { once: true });\n  const release = () => request.signal.removeEventListener("abort", onClientAbort);',
      to: "const release = () => {};",
    },
  ],
  "body scan (shape, model, output bound)": [
    {
      file: "relay/request.ts",
      from: "scanned = scanJsonBody(bytes, scannedKeys(route));",
      to: 'scanned = { model: "openai/gpt-oss-120b", modelStart: 0, modelEnd: 0, kinds: new Map([["messages", "array"]]), numbers: new Map() } as never;',
    },
  ],
};

const GATEWAY_SRC = fileURLToPath(new URL("../../../packages/gateway/src/", import.meta.url));
const ENTRY = fileURLToPath(new URL("./features-entry.ts", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "features-"));

/** Applies `edits` to the gateway's sources as esbuild loads them; each must match exactly once. */
function editing(edits: Edit[]): Plugin {
  const byFile = Map.groupBy(edits, (edit) => join(GATEWAY_SRC, edit.file));
  return {
    name: "edits",
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        const fileEdits = byFile.get(path);
        if (!fileEdits) return undefined;
        let text = await readFile(path, "utf8");
        for (const { from, to, file } of fileEdits) {
          const count = text.split(from).length - 1;
          if (count !== 1) throw new Error(`features: an edit of ${file} matches ${count} times: ${from.slice(0, 60)}`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
}

async function bundle(name: string, edits: Edit[]): Promise<string> {
  const outfile = join(out, `${name.replace(/\W+/g, "-")}.js`);
  await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["@baseten-edge/source", "workerd", "worker", "browser"],
    outfile,
    logLevel: "warning",
    plugins: [editing(edits)],
  });
  return outfile;
}

interface Variant {
  name: string;
  scriptPath: string;
  log?: boolean;
}
const whole = await bundle("whole", []);
const variants: Variant[] = [
  { name: "the whole relay (the request event not logged)", scriptPath: whole },
  { name: "+ the request event's console.log line", scriptPath: whole, log: true },
];
for (const [feature, edits] of Object.entries(FEATURES)) {
  variants.push({ name: `without the ${feature}`, scriptPath: await bundle(feature, edits) });
}
variants.push({ name: "without any of these", scriptPath: await bundle("none", Object.values(FEATURES).flat()) });

const workers: WorkerOnWorkerd[] = [];
for (const { scriptPath, log } of variants) {
  const bindings = {
    AUTH_MODE: "pass-through",
    CACHE_SALT: "bench-cache-salt-not-a-secret",
    ...(log && { LOG: "console" }),
  };
  workers.push(await startWorker({ scriptPath, bindings }));
}

/** µs of workerd CPU per call of `op` in `worker`, over `requests` requests of `calls` calls. */
async function perCall(worker: WorkerOnWorkerd, op: "gw" | "base"): Promise<number> {
  if (worker.pid === undefined) throw new Error("features: no workerd pid to measure");
  const before = cpuMs(worker.pid);
  for (let i = 0; i < requests; i++) {
    const response = await fetch(`${worker.url}/?op=${op}&n=${calls}`);
    const status = await response.text();
    if (status !== "200") throw new Error(`features: the gateway answered ${status}`);
  }
  return ((cpuMs(worker.pid) - before) * 1000) / (requests * calls);
}

for (const worker of workers) await perCall(worker, "gw"); // warm: the model list, the JIT
const over: number[][] = workers.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [index, worker] of workers.entries()) {
    const base = await perCall(worker, "base");
    over[index]!.push((await perCall(worker, "gw")) - base);
  }
}
await stopAll();

const spread = (values: number[]) => `${Math.min(...values).toFixed(0)}…${Math.max(...values).toFixed(0)}`;
const signed = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(0)}`;
console.log(
  `workerd CPU per relayed chat completion (JSON) in a loop, in-memory upstream; ${rounds} rounds × ${requests} requests × ${calls} calls, medians (min…max):\n`,
);
console.log("| variant | µs per call over the loop without the gateway | against the whole relay, per round |");
console.log("| --- | --- | --- |");
const reference = over[0]!;
for (const [index, { name }] of variants.entries()) {
  const values = over[index]!;
  const paired = values.map((value, round) => value - reference[round]!);
  const against = index === 0 ? "—" : `${signed(median(paired))} (${spread(paired)})`;
  console.log(`| ${name} | ${median(values).toFixed(0)} (${spread(values)}) | ${against} |`);
}
process.exit(0);
