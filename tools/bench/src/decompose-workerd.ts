// Decomposition: what each step of the relay costs on workerd, in CPU per relayed chat completion
// (JSON), measured like scenario 3 (one keep-alive client, requests one after the other, the workerd
// process's CPU). Not part of the run; tools/bench/README.md ("What limits the missed targets") cites it.
//   node tools/bench/src/decompose-workerd.ts [--requests N] [--rounds R]
//
// The Worker is built unminified (wrangler --no-minify) and then cut short after each step by
// replacing one line of the bundle, so every variant runs the real code up to its cut:
//   entry      the Worker's entry (its gateway found for env), then forwarded as the one-line Worker does
//   routed     + Hono's routing to the relay route, then forwarded the same way
//   checked    + read and check: caller id (HMAC), body read and scanned, model against the cached list;
//              then the checked bytes sent with the forwarded headers
//   sent       + send: abort wiring, first-byte timer, core's retry loop, the response-header firewall;
//              the upstream's body passed on
//   whole      + answer and account: the answer read, usage and exact cost, request id, one log line
//   whole, no log   the same with REQUEST_LOG=errors (no line for a request that succeeded)
// Beside them, the runtime's own limits: the one-line `fetch` Worker, and the same Worker writing the
// same kind of log line (what one `console.log` per request costs workerd).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient, sequential } from "./http.ts";
import { cpuMs, startUpstream, stopAll, type WorkerOnWorkerd } from "./processes.ts";
import { chatCall, startGatewayWorker, startOneLineWorker } from "./scenarios/workerd.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "600" }, rounds: { type: "string", default: "7" } },
  strict: true,
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);

const out = mkdtempSync(join(tmpdir(), "decompose-"));
const workerDir = fileURLToPath(new URL("../../../apps/worker", import.meta.url));
execFileSync("pnpm", ["exec", "wrangler", "deploy", "--dry-run", "--no-minify", "--outdir", out], {
  cwd: workerDir,
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  stdio: "ignore",
});
const bundle = readFileSync(join(out, "index.js"), "utf8");

/** The bundle with `anchor` (which must occur exactly once) replaced: a loud failure when the code moved. */
function cut(name: string, anchor: string, replacement: string): string {
  const count = bundle.split(anchor).length - 1;
  if (count !== 1) throw new Error(`decompose: the anchor of "${name}" occurs ${count} times in the bundle`);
  const path = join(out, `${name}.js`);
  writeFileSync(path, bundle.replace(anchor, replacement));
  return path;
}

const relayStart = "    const call = startCall(route, request, waitUntil, client, settings.now());\n";
const afterCheck = "    const admitted = await settings.limiter?.admit(call, checked2);\n";
const afterSend = "    if (sent.upstream.ok && isStream(sent.upstream)) {\n";
const entryReturn =
  "    return gateway.fetch(request, { waitUntil: (promise) => ctx.waitUntil(promise), clientAddress });\n";
/** Each variant: a bundle, and vars on top of the bench's bindings. */
const variants: Record<string, [string, Record<string, string>?]> = {
  entry: [
    cut(
      "entry",
      entryReturn,
      `    return fetch(env.BASETEN_INFERENCE_URL + new URL(request.url).pathname, request);\n${entryReturn}`,
    ),
  ],
  routed: [cut("routed", relayStart, `    return fetch(settings.inferenceUrl + route.path, request);\n${relayStart}`)],
  checked: [
    cut(
      "checked",
      afterCheck,
      `    if (!(checked2 instanceof Refusal)) return fetch(settings.inferenceUrl + route.path, { method: "POST", headers: forwardedHeaders(request, checked2.caller), body: checked2.body });\n${afterCheck}`,
    ),
  ],
  sent: [
    cut(
      "sent",
      afterSend,
      `    return new Response(sent.upstream.body, { status: sent.upstream.status, headers: sent.headers });\n${afterSend}`,
    ),
  ],
  whole: [join(out, "index.js")],
  "whole, no log": [join(out, "index.js"), { REQUEST_LOG: "errors" }],
};

const upstream = await startUpstream({ models: 0, chunks: 64, chunkDelayMs: 0 });
// One after the other: each Worker's workerd process is told apart by when it appeared.
const workers: [string, WorkerOnWorkerd][] = [];
workers.push(["one-line Worker", await startOneLineWorker(upstream)]);
workers.push(["one-line Worker + one log line", await startOneLineWorker(upstream, true)]);
for (const [name, [scriptPath, vars]] of Object.entries(variants)) {
  workers.push([name, await startGatewayWorker(upstream, scriptPath, vars)]);
}

const call = chatCall(false);
const clients = workers.map(([, worker]) => createClient(worker.url));
// Warm: the model list (learned in waitUntil on the first calls) and the JIT.
for (const client of clients) await sequential(client, "/v1/chat/completions", call, 300);
const cpu: number[][] = workers.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [index, [, worker]] of workers.entries()) {
    const pid = worker.pid;
    if (pid === undefined) throw new Error("decompose: no workerd pid to measure");
    const before = cpuMs(pid);
    await sequential(clients[index]!, "/v1/chat/completions", call, requests);
    cpu[index]!.push(((cpuMs(pid) - before) * 1000) / requests);
  }
}
for (const client of clients) client.close();
await stopAll();

const base = median(cpu[0]!);
console.log(
  `workerd CPU per relayed chat completion (JSON), ${rounds} rounds × ${requests} requests, medians (min…max):\n`,
);
console.log("| variant | µs per request | over the one-line Worker |\n| --- | --- | --- |");
for (const [index, [name]] of workers.entries()) {
  const values = cpu[index]!;
  const m = median(values);
  const spread = `${Math.min(...values).toFixed(0)}…${Math.max(...values).toFixed(0)}`;
  console.log(
    `| ${name} | ${m.toFixed(0)} (${spread}) | ${index === 0 ? "—" : `${m - base >= 0 ? "+" : ""}${(m - base).toFixed(0)} (${(m / base).toFixed(2)}×)`} |`,
  );
}
