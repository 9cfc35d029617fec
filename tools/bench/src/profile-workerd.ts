// Profile: where a Worker's isolate spends its CPU on relayed chat completions (JSON), from V8's own
// sampling profiler over workerd's inspector. Not part of the run; the figures in tools/bench/README.md
// ("What limits the missed targets") come from it.
//   node tools/bench/src/profile-workerd.ts [bundle.js] [--requests N] [--one-line]
// Build an unminified bundle first for readable names:
//   (cd apps/worker && wrangler deploy --dry-run --outdir /tmp/wdist --no-minify)

import { startWorkerd } from "@baseten-edge/harness/workerd";
import { createClient, sequential } from "./http.ts";
import { startUpstream, stopAll } from "./processes.ts";
import { chatCall, gatewayBindings, oneLineScript } from "./scenarios/workerd.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const bundle = args.find((a) => a.endsWith(".js")) ?? "/tmp/wdist/index.js";
const requests = option("--requests", 2_000);

const upstream = await startUpstream({ models: 0, chunks: 64, chunkDelayMs: 0 });
const worker = await startWorkerd({
  ...(flag("--one-line")
    ? { script: oneLineScript(), bindings: { UPSTREAM: upstream.url } }
    : { scriptPath: bundle, bindings: gatewayBindings(upstream.url), kvNamespaces: ["CATALOG_KV"] }),
  inspectorPort: 0,
});
const call = chatCall(false);
const client = createClient(worker.url);
await sequential(client, "/v1/chat/completions", call, 500); // warm: the model list, the JIT

const inspector = await worker.mf.getInspectorURL();
const targets = (await (await fetch(`http://${inspector.host}/json`)).json()) as {
  webSocketDebuggerUrl: string;
  title: string;
}[];
const target = targets.find((t) => !t.title.includes("miniflare")) ?? targets[0];
if (!target) throw new Error("workerd listed no inspector targets");
const socket = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
let nextId = 1;
const pending = new Map<number, (result: unknown) => void>();
socket.addEventListener("message", (message) => {
  const data = JSON.parse(String(message.data)) as { id?: number; result?: unknown };
  if (data.id !== undefined) pending.get(data.id)?.(data.result);
});
const send = (method: string, params: object = {}) =>
  new Promise<unknown>((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    socket.send(JSON.stringify({ id, method, params }));
  });

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 50 });
await send("Profiler.start");
const timed = await sequential(client, "/v1/chat/completions", call, requests);
const { profile } = (await send("Profiler.stop")) as { profile: Profile };
socket.close();
client.close();

// Self time per function, and time inclusive of callees for the named steps.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self.entries()]
  .filter(([id]) => ["(idle)", "(program)"].includes(byId.get(id)?.callFrame.functionName ?? ""))
  .reduce((a, [, t]) => a + t, 0);
const where = (url: string) => (url ? ` ${url.split("/").pop()}` : "");
const name = (n: ProfileNode) =>
  `${n.callFrame.functionName || "(anonymous)"}:${n.callFrame.lineNumber + 1}${where(n.callFrame.url)}`;
const selfByName = new Map<string, number>();
const inclusiveByName = new Map<string, number>();
for (const [id, t] of self) {
  const node = byId.get(id);
  if (!node) continue;
  selfByName.set(name(node), (selfByName.get(name(node)) ?? 0) + t);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const up = byId.get(at);
    if (!up) break;
    const key = name(up);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusiveByName.set(key, (inclusiveByName.get(key) ?? 0) + t);
  }
}
const busy = total - idle;
const perRequest = (us: number) => (us / requests).toFixed(1);
console.log(
  `${requests} requests, ${timed.latencies.length} timed; isolate busy ${perRequest(busy)} µs per request (sampled)`,
);
const top = (map: Map<string, number>, n: number) =>
  [...map.entries()]
    .filter(([k]) => !k.startsWith("(idle)") && !k.startsWith("(program)") && !k.startsWith("(root)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `  ${perRequest(t).padStart(8)} µs  ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${k}`)
    .join("\n");
console.log(`self time:\n${top(selfByName, 40)}`);
console.log(`inclusive:\n${top(inclusiveByName, 40)}`);
await worker.stop();
await stopAll();
