// Scenario 11: what enforcing a gateway key's policy and Baseten's per-model limit costs a relayed request, on local
// workerd with the Worker's own LIMITS Durable Objects, against the same Worker relaying a static token without limits.
import { createHash } from "node:crypto";
import { type Call, createClient, sequential } from "../http.ts";
import { cpuMs, startUpstream, startWorker, type Upstream, type WorkerOnWorkerd } from "../processes.ts";
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { fmtSummary, interleave, paired, quantile, summarize } from "../stats.ts";
import { WORKER_BUNDLE } from "./workerd.ts";

const STATIC_TOKEN = "bench-static-token-not-a-secret";
const ADMIN_TOKEN = "bench-admin-token-not-a-secret";
const KEY = "bench-gateway-key-not-a-secret";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** Limits that never refuse during the run, so every request pays for admission and settlement in full. */
const POLICY = { name: "bench", rpm: 1_000_000_000, tpm: 1_000_000_000, daily_usd: "1000000", monthly_usd: "1000000" };

/** The real Worker in operator mode; with `limits`, its LIMITS Durable Objects and an admin token. */
function startOperatorWorker(upstream: Upstream, limits: boolean): Promise<WorkerOnWorkerd> {
  return startWorker({
    scriptPath: WORKER_BUNDLE,
    bindings: {
      AUTH_MODE: "operator",
      BASETEN_API_KEY: "emulator-key",
      GATEWAY_TOKENS: sha256(STATIC_TOKEN),
      BASETEN_MANAGEMENT_URL: upstream.url,
      BASETEN_INFERENCE_URL: upstream.url,
      CACHE_SALT: "bench-cache-salt-not-a-secret",
      CATALOG_FRESH_SECONDS: "3600",
      CATALOG_MAX_STALE_SECONDS: "86400",
      ...(limits && { ADMIN_TOKENS: sha256(ADMIN_TOKEN) }),
    },
    kvNamespaces: ["CATALOG_KV"],
    ...(limits && { durableObjects: { LIMITS: "LimitAccount" } }),
  });
}

const chat = (token: string): Call => ({
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({
    model: "openai/gpt-oss-120b",
    messages: [{ role: "user", content: "bench" }],
    max_tokens: 64,
  }),
});

/** Both Workers, warmed up; the key's policy stored through the admin API. */
async function targets() {
  const upstream = await startUpstream({ models: 0, modelRpm: 1_000_000_000 });
  const relay = await startOperatorWorker(upstream, false);
  const enforced = await startOperatorWorker(upstream, true);
  const put = await fetch(`${enforced.url}/v1/admin/keys/${sha256(KEY)}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(POLICY),
  });
  if (put.status !== 200) throw new Error(`storing the bench key's policy answered ${put.status}: ${await put.text()}`);
  for (const [worker, token] of [
    [relay, STATIC_TOKEN],
    [enforced, KEY],
  ] as const) {
    const client = createClient(worker.url);
    for (let i = 0; i < 5; i++) {
      const answer = await client.send("/v1/chat/completions", chat(token));
      if (answer.status !== 200) throw new Error(`${worker.url} answered ${answer.status} while warming up`);
    }
    client.close();
  }
  return { upstream, relay, enforced, stop: () => Promise.all([relay.stop(), enforced.stop(), upstream.stop()]) };
}

/** 11: added latency (p50, p99) and workerd CPU per request of enforcement, concurrency 1, JSON answers. */
export async function limitsOverhead(settings: Settings): Promise<Row[]> {
  const t = await targets();
  const count = settings.quick ? 100 : 600;
  const clients = { relay: createClient(t.relay.url), enforced: createClient(t.enforced.url) };
  const measure = (name: "relay" | "enforced", pid: number | undefined, token: string) => async () => {
    const before = pid === undefined ? Number.NaN : cpuMs(pid);
    const result = await sequential(clients[name], "/v1/chat/completions", chat(token), count);
    // Settlements run in waitUntil after each answer: give them a moment to land in this round's CPU.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cpu = pid === undefined ? Number.NaN : cpuMs(pid) - before;
    return { ...result, cpuUsPerRequest: (cpu * 1000) / count };
  };
  const runs = await interleave(settings.rounds, {
    relay: measure("relay", t.relay.pid, STATIC_TOKEN),
    enforced: measure("enforced", t.enforced.pid, KEY),
  });
  for (const client of Object.values(clients)) client.close();
  const answered = await fetch(`${t.enforced.url}/v1/usage`, { headers: { authorization: `Bearer ${KEY}` } });
  const usage = (await answered.json()) as { today?: { requests?: number } };
  await t.stop();

  const at = (q: number) => (r: { latencies: number[] }) => quantile(r.latencies, q);
  const addedP50 = paired(runs.enforced, runs.relay, (a, b) => at(0.5)(a) - at(0.5)(b));
  const addedP99 = paired(runs.enforced, runs.relay, (a, b) => at(0.99)(a) - at(0.99)(b));
  const addedCpu = paired(runs.enforced, runs.relay, (a, b) => a.cpuUsPerRequest - b.cpuUsPerRequest);
  const raw = Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [
      name,
      {
        p50Ms: list.map(at(0.5)),
        p99Ms: list.map(at(0.99)),
        workerdCpuUsPerRequest: list.map((r) => r.cpuUsPerRequest),
      },
    ]),
  );
  const relayP50 = fmtSummary(summarize(raw.relay!.p50Ms), 3, " ms");
  const relayCpu = fmtSummary(summarize(raw.relay!.workerdCpuUsPerRequest), 0, " µs");
  const settled = `${usage.today?.requests ?? "?"} requests counted on the key`;
  return [
    {
      id: "11a",
      scenario: `gateway key enforcement (key + model accounts, Durable Objects), concurrency 1: added p50 / p99 (${settled})`,
      baseline: "same Worker, static token, no limits",
      measured: `p50 +${fmtSummary(addedP50, 3, " ms")}; p99 +${fmtSummary(addedP99, 3, " ms")}`,
      reference: `p50 ${relayP50}`,
      target: "≤ 6 ms added p50 (budget: local workerd)",
      verdict: verdict(addedP50.median <= 6),
      raw: { ...raw, requestsPerRound: count },
    },
    {
      id: "11b",
      scenario: "gateway key enforcement: added workerd CPU per request (admission, settlement, both objects)",
      baseline: "same Worker, static token, no limits",
      measured: `+${fmtSummary(addedCpu, 0, " µs")}`,
      reference: relayCpu,
      target: "≤ 4000 µs added CPU (budget: four object calls)",
      verdict: verdict(addedCpu.median <= 4000),
      raw: {},
    },
  ];
}
