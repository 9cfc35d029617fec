// Scenarios 1–4: the real apps/worker bundle on workerd, against a constant Worker, a one-line fetch Worker and the emulator itself.
import { fileURLToPath } from "node:url";
import { checkingRelay } from "../checking-relay.ts";
import { type Call, createClient, sequential, throughput } from "../http.ts";
import { cpuMs, startUpstream, startWorker, type Upstream, type WorkerOnWorkerd } from "../processes.ts";
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { fmt, fmtSummary, interleave, paired, quantile, summarize } from "../stats.ts";

export const WORKER_BUNDLE = fileURLToPath(new URL("../../../../apps/worker/dist/index.js", import.meta.url));
const KEY = "emulator-key";
const CATALOG_PATH = "/v1/model_apis?limit=100";
const auth = (key = KEY) => ({ authorization: `Bearer ${key}` });

/** The gateway Worker's bindings in the bench, the way wrangler.jsonc and its secrets would set them. */
export function gatewayBindings(upstreamUrl: string): Record<string, string> {
  return {
    AUTH_MODE: "pass-through",
    PUBLIC_CATALOG: "false",
    BASETEN_MANAGEMENT_URL: upstreamUrl,
    BASETEN_INFERENCE_URL: upstreamUrl,
    CACHE_SALT: "bench-cache-salt-not-a-secret",
    // Fresh for the whole run: every hit is a memory hit, no background refresh in the timings.
    CATALOG_FRESH_SECONDS: "3600",
    CATALOG_MAX_STALE_SECONDS: "86400",
  };
}

/** The real Worker (or another build of it at `scriptPath`), with `vars` on top of the bench's bindings. */
export function startGatewayWorker(
  upstream: Upstream,
  scriptPath = WORKER_BUNDLE,
  vars: Record<string, string> = {},
): Promise<WorkerOnWorkerd> {
  const bindings = { ...gatewayBindings(upstream.url), ...vars };
  return startWorker({ scriptPath, bindings, kvNamespaces: ["CATALOG_KV"] });
}

/**
 * The smallest relay there is: what the gateway's relay is weighed against. With `logLine`, it also
 * writes one JSON line per request, as the gateway's request event does: what workerd charges for one
 * `console.log` per request, whoever writes it.
 */
export function startOneLineWorker(upstream: Upstream, logLine = false): Promise<WorkerOnWorkerd> {
  return startWorker({ script: oneLineScript(logLine), bindings: { UPSTREAM: upstream.url } });
}

/** The minimal checking Worker (`checkingScript`): what a relay that reads both bodies costs by itself. */
export function startCheckingWorker(upstream: Upstream): Promise<WorkerOnWorkerd> {
  return startWorker({ script: checkingScript(), bindings: { UPSTREAM: upstream.url } });
}

/** The one-line Worker's source (its upstream is the UPSTREAM binding). */
export function oneLineScript(logLine = false): string {
  const log = logLine ? `console.log(JSON.stringify(${JSON.stringify(SAMPLE_EVENT)}));` : "";
  return `export default { fetch: (request, env) => { const url = new URL(request.url); ${log} return fetch(env.UPSTREAM + url.pathname + url.search, request); } };`;
}

/** `checkingRelay` as a Worker's source (its upstream is the UPSTREAM binding). */
export function checkingScript(): string {
  return `const checkingRelay = ${checkingRelay.toString()};
let relay;
export default { fetch: (request, env) => (relay ??= checkingRelay((r) => fetch(r), env.UPSTREAM))(request) };`;
}

/** A request event as the gateway logs it (the same fields and about the same length). */
const SAMPLE_EVENT = {
  event: "request",
  route: "/v1/chat/completions",
  model: "openai/gpt-oss-120b",
  status: 200,
  input_tokens: 3,
  cached_tokens: 0,
  output_tokens: 256,
  cost_usd: "0.000154",
  ttfb_ms: 1,
  total_ms: 2,
  request_id: "00000000-0000-4000-8000-000000000000",
  upstream_request_id: "318266fbaac705c0fb4e5ed2f8222af94f02b",
};

/** CPU milliseconds a workerd process spends on `work`. */
export async function measuredCpu<R>(
  pid: number | undefined,
  work: () => Promise<R>,
): Promise<{ result: R; cpuMs: number }> {
  const before = pid === undefined ? Number.NaN : cpuMs(pid);
  const result = await work();
  return { result, cpuMs: pid === undefined ? Number.NaN : cpuMs(pid) - before };
}

/** 1: a catalog page from isolate memory vs a Worker that returns the same bytes from a constant. */
export async function catalogHit(settings: Settings): Promise<Row[]> {
  const upstream = await startUpstream({ models: 1_000 });
  const gateway = await startGatewayWorker(upstream);
  const probe = createClient(gateway.url);
  let first = await probe.send(CATALOG_PATH, { headers: auth() }, { keepText: true });
  for (let i = 0; i < 5 && first.status === 200; i++)
    first = await probe.send(CATALOG_PATH, { headers: auth() }, { keepText: true });
  probe.close();
  if (first.status !== 200 || first.text === undefined) throw new Error(`the gateway answered ${first.status}`);
  // Same body, same content-type and cache headers: only the work behind them differs.
  const gatewayHeaders = await headersOf(gateway.url + CATALOG_PATH, auth());
  if (gatewayHeaders["x-cache"] !== "HIT")
    throw new Error(`expected a memory hit, got x-cache: ${gatewayHeaders["x-cache"]}`);
  const { date: _date, "content-length": _length, "transfer-encoding": _te, ...headers } = gatewayHeaders;
  const constant = await startWorker({
    script: `const BODY = ${JSON.stringify(first.text)};\nconst HEADERS = ${JSON.stringify(headers)};\nexport default { fetch: () => new Response(BODY, { headers: HEADERS }) };`,
  });

  const clients = { gateway: createClient(gateway.url), constant: createClient(constant.url) };
  const call: Call = { headers: auth() };
  const latency = await interleave(settings.rounds, {
    gateway: () => sequential(clients.gateway, CATALOG_PATH, call, settings.quick ? 100 : 1_000),
    constant: () => sequential(clients.constant, CATALOG_PATH, call, settings.quick ? 100 : 1_000),
  });
  for (const client of Object.values(clients)) client.close();
  const seconds = settings.quick ? 1 : 3;
  const connections = 16;
  const load = await interleave(settings.rounds, {
    gateway: () => measuredCpu(gateway.pid, () => throughput(gateway.url + CATALOG_PATH, call, seconds, connections)),
    constant: () =>
      measuredCpu(constant.pid, () => throughput(constant.url + CATALOG_PATH, call, seconds, connections)),
  });
  await Promise.all([gateway.stop(), constant.stop(), upstream.stop()]);

  const p50 = (r: { latencies: number[] }) => quantile(r.latencies, 0.5);
  const addedP50 = paired(latency.gateway, latency.constant, (a, b) => p50(a) - p50(b));
  const ratio = paired(load.gateway, load.constant, (a, b) => a.result.rps / b.result.rps);
  const rps = (r: { result: { rps: number } }) => r.result.rps;
  const cpuPerRequest = (r: { cpuMs: number; result: { total: number } }) => (r.cpuMs * 1000) / r.result.total;
  const cpuRatio = paired(load.gateway, load.constant, (a, b) => cpuPerRequest(a) / cpuPerRequest(b));
  const raw = {
    bodyBytes: Buffer.byteLength(first.text),
    latencyP50Ms: { gateway: latency.gateway.map(p50), constant: latency.constant.map(p50) },
    rps: { gateway: load.gateway.map(rps), constant: load.constant.map(rps) },
    workerdCpuUsPerRequest: { gateway: load.gateway.map(cpuPerRequest), constant: load.constant.map(cpuPerRequest) },
    connections,
    seconds,
  };
  const cpu = (name: "gateway" | "constant") => fmtSummary(summarize(raw.workerdCpuUsPerRequest[name]), 0, " µs");
  return [
    {
      id: "1a",
      scenario: `catalog hit from isolate memory, ${connections} connections: req/s and workerd CPU per request`,
      baseline: "constant Worker, same bytes",
      measured: `${fmtSummary(summarize(raw.rps.gateway), 0)} req/s = ${fmtSummary(ratio)}×; CPU ${cpu("gateway")} = ${fmtSummary(cpuRatio)}×`,
      reference: `${fmtSummary(summarize(raw.rps.constant), 0)} req/s; CPU ${cpu("constant")}`,
      target: "≥ 0.95× req/s; ≤ 1.1× CPU per request",
      verdict: verdict(ratio.median >= 0.95 && cpuRatio.median <= 1.1),
      raw,
    },
    {
      id: "1b",
      scenario: "catalog hit, concurrency 1: added p50",
      baseline: "constant Worker",
      measured: `+${fmtSummary(addedP50, 3, " ms")}`,
      reference: `p50 ${fmtSummary(summarize(raw.latencyP50Ms.constant), 3, " ms")}`,
      target: "≤ 0.05 ms added p50",
      verdict: verdict(addedP50.median <= 0.05),
      raw: {},
    },
  ];
}

async function headersOf(url: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const response = await fetch(url, { headers: { ...headers, "accept-encoding": "identity" } });
  await response.arrayBuffer();
  return Object.fromEntries(response.headers);
}

/** 2: 100 concurrent requests for a catalog nobody has asked for yet: one upstream load. */
export async function coldStampede(settings: Settings): Promise<Row[]> {
  const upstream = await startUpstream({ models: 0 });
  const gateway = await startGatewayWorker(upstream);
  const counts: number[] = [];
  const paths: Record<string, number>[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    // Round 0 meets a fresh isolate; later rounds a caller (key) the isolate and its tiers have never seen.
    const key = `bench-cold-${round}-${process.pid}-${Date.now()}`;
    await fetch(`${upstream.url}/__emulator/requests`, { method: "DELETE", headers: auth() });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(gateway.url + CATALOG_PATH, { headers: auth(key) }).then(
          async (r) => [r.status, await r.text()] as const,
        ),
      ),
    );
    const bad = answers.find(([status]) => status !== 200);
    if (bad) throw new Error(`a cold request answered ${bad[0]}: ${bad[1].slice(0, 200)}`);
    if (new Set(answers.map(([, body]) => body)).size !== 1) throw new Error("cold requests got different bodies");
    const log = (await (await fetch(`${upstream.url}/__emulator/requests`, { headers: auth() })).json()) as {
      requests: { path: string }[];
    };
    const upstreamRequests = log.requests.filter((r) => !r.path.startsWith("/__emulator"));
    counts.push(upstreamRequests.length);
    paths.push(
      Object.fromEntries(
        Object.entries(Object.groupBy(upstreamRequests, (r) => r.path)).map(([p, list]) => [p, list?.length ?? 0]),
      ),
    );
  }
  await Promise.all([gateway.stop(), upstream.stop()]);
  const all = counts.every((n) => n === 1);
  return [
    {
      id: "2",
      scenario: "100 concurrent cold requests (fresh isolate, then a new caller per round)",
      baseline: "—",
      measured: `upstream requests per round: ${counts.join(", ")}`,
      reference: "",
      target: "exactly 1 upstream request",
      verdict: verdict(all),
      raw: { counts, paths },
    },
  ];
}

export const chatBody = (stream: boolean) =>
  JSON.stringify({ model: "openai/gpt-oss-120b", stream, messages: [{ role: "user", content: "bench" }] });
export const chatCall = (stream: boolean): Call => ({
  method: "POST",
  headers: { ...auth(), "content-type": "application/json" },
  body: chatBody(stream),
});

/**
 * The upstream, the one-line Worker and the gateway Worker, shared by scenarios 3 and 4. With
 * `withReferences`, also the one-line Worker that logs a line per request and the gateway with
 * REQUEST_LOG=errors (no line for a request that succeeded), which show what the request's log line
 * costs, and the minimal checking Worker (`checkingScript`).
 */
async function relayTargets(chunkDelayMs: number, withReferences = false) {
  const upstream = await startUpstream({ models: 0, chunks: 64, chunkDelayMs });
  // One after the other: each Worker's workerd process is told apart by when it appeared.
  const oneLine = await startOneLineWorker(upstream);
  const oneLineLogging = withReferences ? await startOneLineWorker(upstream, true) : undefined;
  const checking = withReferences ? await startCheckingWorker(upstream) : undefined;
  const gateway = await startGatewayWorker(upstream);
  const gatewayErrorsOnly = withReferences
    ? await startGatewayWorker(upstream, WORKER_BUNDLE, { REQUEST_LOG: "errors" })
    : undefined;
  // The gateway learns the model list on its first relayed call (in waitUntil): do that before timing.
  for (const worker of [gateway, gatewayErrorsOnly]) {
    if (!worker) continue;
    const warm = createClient(worker.url);
    for (let i = 0; i < 3; i++) await warm.send("/v1/chat/completions", chatCall(false));
    warm.close();
  }
  const workers = [oneLine, oneLineLogging, checking, gateway, gatewayErrorsOnly, upstream];
  const stop = () => Promise.all(workers.map((worker) => worker?.stop()));
  return { upstream, oneLine, oneLineLogging, checking, gateway, gatewayErrorsOnly, stop };
}

/** 3: a non-streamed chat completion through the relay, one at a time, against the one-line Worker (the emulator directly for information). */
export async function relayJson(settings: Settings): Promise<Row[]> {
  const targets = await relayTargets(0, true);
  const { oneLineLogging, checking, gatewayErrorsOnly } = targets;
  if (!oneLineLogging || !checking || !gatewayErrorsOnly) throw new Error("relayTargets started no reference Workers");
  const count = settings.quick ? 100 : 800;
  const clients = {
    gateway: createClient(targets.gateway.url),
    gatewayErrorsOnly: createClient(gatewayErrorsOnly.url),
    oneLine: createClient(targets.oneLine.url),
    oneLineLogging: createClient(oneLineLogging.url),
    checking: createClient(checking.url),
    direct: createClient(targets.upstream.url),
  };
  const call = chatCall(false);
  const withCpu = (name: Exclude<keyof typeof clients, "direct">, pid: number | undefined) => async () => {
    const { result, cpuMs: cpu } = await measuredCpu(pid, () =>
      sequential(clients[name], "/v1/chat/completions", call, count),
    );
    return { ...result, cpuUsPerRequest: (cpu * 1000) / count };
  };
  const runs = await interleave(settings.rounds, {
    gateway: withCpu("gateway", targets.gateway.pid),
    gatewayErrorsOnly: withCpu("gatewayErrorsOnly", gatewayErrorsOnly.pid),
    oneLine: withCpu("oneLine", targets.oneLine.pid),
    oneLineLogging: withCpu("oneLineLogging", oneLineLogging.pid),
    checking: withCpu("checking", checking.pid),
    direct: async () => ({
      ...(await sequential(clients.direct, "/v1/chat/completions", call, count)),
      cpuUsPerRequest: Number.NaN,
    }),
  });
  for (const client of Object.values(clients)) client.close();
  await targets.stop();

  const at = (q: number) => (r: { latencies: number[] }) => quantile(r.latencies, q);
  const added = (q: number, over: typeof runs.oneLine) => paired(runs.gateway, over, (a, b) => at(q)(a) - at(q)(b));
  const addedP50 = added(0.5, runs.oneLine);
  const addedP99 = added(0.99, runs.oneLine);
  const ratio = paired(runs.gateway, runs.oneLine, (a, b) => a.rps / b.rps);
  /** Per round, the CPU per request of `a` over that of `b`. */
  const cpuOver = (a: typeof runs.oneLine, b: typeof runs.oneLine) =>
    paired(a, b, (x, y) => x.cpuUsPerRequest / y.cpuUsPerRequest);
  const cpuRatio = cpuOver(runs.gateway, runs.oneLine);
  // For information: the same ratio over the one-line Worker that also logs one line per request.
  const cpuOverLogging = cpuOver(runs.gateway, runs.oneLineLogging);
  // And the gateway that logs only failed requests (REQUEST_LOG=errors) over the one-line Worker.
  const cpuErrorsOnly = cpuOver(runs.gatewayErrorsOnly, runs.oneLine);
  // And the least a checking relay costs (checkingScript), and the gateway over it.
  const cpuChecking = cpuOver(runs.checking, runs.oneLine);
  const cpuOverChecking = cpuOver(runs.gateway, runs.checking);
  const raw = Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [
      name,
      {
        p50Ms: list.map(at(0.5)),
        p99Ms: list.map(at(0.99)),
        rps: list.map((r) => r.rps),
        workerdCpuUsPerRequest: list.map((r) => r.cpuUsPerRequest),
      },
    ]),
  );
  const ref = (
    name: string,
    field: "p50Ms" | "p99Ms" | "rps" | "workerdCpuUsPerRequest",
    decimals: number,
    unit: string,
  ) => fmtSummary(summarize((raw[name] as Record<string, number[]>)[field]!), decimals, unit);
  // For information: the same added figures over calling the emulator directly (the old baseline).
  const overDirect = `over direct: p50 +${fmt(added(0.5, runs.direct).median, 3)} ms, p99 +${fmt(added(0.99, runs.direct).median, 3)} ms`;
  return [
    {
      id: "3a",
      scenario: `relay, chat completion (JSON), concurrency 1: added p50 / p99 (gateway p50 ${ref("gateway", "p50Ms", 3, " ms")}; ${overDirect})`,
      baseline: "one-line fetch Worker",
      measured: `p50 +${fmtSummary(addedP50, 3, " ms")}; p99 +${fmtSummary(addedP99, 3, " ms")}`,
      reference: `p50 ${ref("oneLine", "p50Ms", 3, " ms")}, p99 ${ref("oneLine", "p99Ms", 3, " ms")}`,
      target: "≤ 0.2 ms added p50, ≤ 0.5 ms added p99",
      verdict: verdict(addedP50.median <= 0.2 && addedP99.median <= 0.5),
      raw: { ...raw, requestsPerRound: count },
    },
    {
      id: "3b",
      scenario: `relay, chat completion (JSON), concurrency 1: requests/s and workerd CPU per request (CPU over a one-line Worker that also logs one line per request, ${ref("oneLineLogging", "workerdCpuUsPerRequest", 0, " µs")}: ${fmtSummary(cpuOverLogging)}×; the gateway with REQUEST_LOG=errors, ${ref("gatewayErrorsOnly", "workerdCpuUsPerRequest", 0, " µs")}: ${fmtSummary(cpuErrorsOnly)}× the one-line Worker; a minimal checking Worker (reads the body for its model, reads the answer for its usage; nothing else), ${ref("checking", "workerdCpuUsPerRequest", 0, " µs")}: ${fmtSummary(cpuChecking)}× the one-line Worker, the gateway ${fmtSummary(cpuOverChecking)}× it)`,
      baseline: "one-line fetch Worker",
      measured: `${ref("gateway", "rps", 0, "")} req/s = ${fmtSummary(ratio)}×; CPU ${ref("gateway", "workerdCpuUsPerRequest", 0, " µs")} = ${fmtSummary(cpuRatio)}×`,
      reference: `${ref("oneLine", "rps", 0, "")} req/s; CPU ${ref("oneLine", "workerdCpuUsPerRequest", 0, " µs")}`,
      target: "≥ 0.9× req/s; ≤ 1.2× CPU per request",
      verdict: verdict(ratio.median >= 0.9 && cpuRatio.median <= 1.2),
      raw: {},
    },
  ];
}

export interface StreamRound {
  ttftMs: number;
  gapsMs: number[];
  contentEvents: number[];
  bytes: number;
  cpuMs: number;
}

/** `streams` SSE answers one after the other from `base`: median first token, every chunk gap, content events, bytes, CPU of `pid`. */
export async function streamRound(
  base: string,
  pid: number | undefined,
  call: Call,
  streams: number,
): Promise<StreamRound> {
  const client = createClient(base);
  const ttfts: number[] = [];
  const gapsMs: number[] = [];
  const contentEvents: number[] = [];
  let bytes = 0;
  const { cpuMs: cpu } = await measuredCpu(pid, async () => {
    for (let i = 0; i < streams; i++) {
      const timed = await client.send("/v1/chat/completions", call, { sse: true });
      if (timed.status !== 200) throw new Error(`${base} answered ${timed.status}`);
      const events = timed.contentEventsMs;
      ttfts.push(events[0] ?? Number.NaN);
      for (let e = 1; e < events.length; e++) gapsMs.push(events[e]! - events[e - 1]!);
      contentEvents.push(events.length);
      bytes += timed.bytes;
    }
  });
  client.close();
  return { ttftMs: quantile(ttfts, 0.5), gapsMs, contentEvents, bytes, cpuMs: cpu };
}

/** 4: a 64-chunk SSE stream through the relay: first token, gaps between chunks, chunk count, CPU per MB. */
export async function relayStream(settings: Settings): Promise<Row[]> {
  const chunkDelayMs = 2;
  const targets = await relayTargets(chunkDelayMs);
  const streams = settings.quick ? 5 : 25;
  const call = chatCall(true);
  const round = (base: string, pid: number | undefined) => () => streamRound(base, pid, call, streams);
  const runs = await interleave(settings.rounds, {
    gateway: round(targets.gateway.url, targets.gateway.pid),
    oneLine: round(targets.oneLine.url, targets.oneLine.pid),
    direct: round(targets.upstream.url, undefined),
  });
  await targets.stop();

  const gapP99 = (r: StreamRound) => quantile(r.gapsMs, 0.99);
  const addedTtft = paired(runs.gateway, runs.oneLine, (a, b) => a.ttftMs - b.ttftMs);
  const addedGap = paired(runs.gateway, runs.oneLine, (a, b) => gapP99(a) - gapP99(b));
  const directTtft = paired(runs.gateway, runs.direct, (a, b) => a.ttftMs - b.ttftMs);
  const cpuPerMb = (r: StreamRound) => r.cpuMs / (r.bytes / 1e6);
  const cpuRatio = paired(runs.gateway, runs.oneLine, (a, b) => cpuPerMb(a) / cpuPerMb(b));
  const counts = (name: keyof typeof runs) => [...new Set(runs[name].flatMap((r) => r.contentEvents))];
  const chunksOk = ["gateway", "oneLine", "direct"].every((n) => {
    const seen = counts(n as keyof typeof runs);
    return seen.length === 1 && seen[0] === 64;
  });
  const raw = Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [
      name,
      {
        ttftMs: list.map((r) => r.ttftMs),
        gapP99Ms: list.map(gapP99),
        contentEventsSeen: counts(name as keyof typeof runs),
        bytes: list.map((r) => r.bytes),
        cpuMs: list.map((r) => r.cpuMs),
        cpuMsPerMb: list.map(cpuPerMb),
      },
    ]),
  ) as Record<string, Record<string, number[]>>;
  const ref = (name: string, field: string, decimals: number, unit = "") =>
    fmtSummary(summarize(raw[name]![field]!), decimals, unit);
  return [
    {
      id: "4a",
      scenario: `relay, 64-chunk SSE (${chunkDelayMs} ms apart), ${streams} streams a round: added time to first token / chunk-gap p99 (TTFT over direct +${fmt(directTtft.median, 3)} ms)`,
      baseline: "one-line fetch Worker",
      measured: `TTFT +${fmtSummary(addedTtft, 3, " ms")}; gap p99 +${fmtSummary(addedGap, 3, " ms")}`,
      reference: `TTFT ${ref("oneLine", "ttftMs", 3, " ms")}, gap p99 ${ref("oneLine", "gapP99Ms", 3, " ms")}`,
      target: "≤ 0.2 ms added TTFT; ≤ 0.2 ms added gap p99",
      verdict: verdict(addedTtft.median <= 0.2 && addedGap.median <= 0.2),
      raw: { ...raw, streamsPerRound: streams, chunkDelayMs },
    },
    {
      id: "4b",
      scenario: "relay, 64-chunk SSE: content chunks out vs in",
      baseline: "upstream sends 64",
      measured: `gateway ${counts("gateway").join("/")}, one-line ${counts("oneLine").join("/")}, direct ${counts("direct").join("/")}`,
      reference: "",
      target: "chunks out = chunks in",
      verdict: verdict(chunksOk),
      raw: {},
    },
    {
      id: "4c",
      scenario: "relay, 64-chunk SSE: workerd CPU per MB relayed",
      baseline: "one-line fetch Worker",
      measured: `${ref("gateway", "cpuMsPerMb", 1, " ms/MB")} = ${fmtSummary(cpuRatio)}×`,
      reference: ref("oneLine", "cpuMsPerMb", 1, " ms/MB"),
      target: "≤ 1.2×",
      verdict: verdict(cpuRatio.median <= 1.2),
      raw: {},
    },
  ];
}
