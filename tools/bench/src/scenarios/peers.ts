// Scenario 12: the gateway on Node against peers on Node, in the same run, against the same emulator:
// Portkey's open-source gateway (@portkey-ai/gateway, offline with --headless) and a minimal Hono proxy.
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Call, createClient, sequential, throughput } from "../http.ts";
import { startNodeServer, startUpstream, type Upstream } from "../processes.ts";
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { fmt, fmtSummary, interleave, paired, quantile, summarize } from "../stats.ts";
import { chatBody, measuredCpu, type StreamRound, streamRound } from "./workerd.ts";

const require = createRequire(import.meta.url);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
type Peer = "ours" | "portkey" | "hono";

/** A port nobody listens on right now (Portkey takes a fixed --port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** The three servers, each in its own process (its CPU read from /proc), and the calls each one takes. */
async function startPeers(upstream: Upstream) {
  const ours = await startNodeServer(
    [require.resolve("@baseten-edge/gateway/node")],
    {
      PORT: "0",
      AUTH_MODE: "pass-through",
      PUBLIC_CATALOG: "false",
      BASETEN_MANAGEMENT_URL: upstream.url,
      BASETEN_INFERENCE_URL: upstream.url,
      CACHE_SALT: "bench-cache-salt-not-a-secret",
    },
    "the gateway on Node",
  );
  const port = await freePort();
  const portkeyMain = join(dirname(require.resolve("@portkey-ai/gateway/package.json")), "build/start-server.js");
  const portkey = await startNodeServer(
    ["--import", here("../peers/portkey-shim.ts"), portkeyMain, "--headless", `--port=${port}`],
    { NODE_ENV: "production" },
    "Portkey's gateway",
    true,
  );
  const hono = await startNodeServer([here("../peers/hono-proxy.ts")], { UPSTREAM: upstream.url }, "the Hono proxy");
  const urls: Record<Peer, string> = { ours: ours.url, portkey: `http://127.0.0.1:${port}`, hono: hono.url };
  const pids: Record<Peer, number> = { ours: ours.pid, portkey: portkey.pid, hono: hono.pid };
  const headers = (peer: Peer): Record<string, string> => ({
    authorization: "Bearer emulator-key",
    "content-type": "application/json",
    // Portkey routes by header: OpenAI's wire format, the emulator as the provider's host.
    ...(peer === "portkey" ? { "x-portkey-provider": "openai", "x-portkey-custom-host": `${upstream.url}/v1` } : {}),
  });
  const call = (peer: Peer, stream: boolean): Call => ({
    method: "POST",
    headers: headers(peer),
    body: chatBody(stream),
  });
  return { urls, pids, call };
}

const PEERS: Peer[] = ["ours", "portkey", "hono"];
const each = <R>(make: (peer: Peer) => () => Promise<R>) =>
  Object.fromEntries(PEERS.map((peer) => [peer, make(peer)])) as Record<Peer, () => Promise<R>>;

/** 12: JSON p50 at concurrency 1, CPU per request at 16 connections, SSE CPU per MB and first token. */
export async function nodePeers(settings: Settings): Promise<Row[]> {
  const upstream = await startUpstream({ models: 0, chunks: 64, chunkDelayMs: 2 });
  const { urls, pids, call } = await startPeers(upstream);
  for (const peer of PEERS) {
    const warm = createClient(urls[peer]);
    for (let i = 0; i < 5; i++) await warm.send("/v1/chat/completions", call(peer, false));
    warm.close();
  }
  const count = settings.quick ? 100 : 600;
  const latency = await interleave(
    settings.rounds,
    each((peer) => async () => {
      const client = createClient(urls[peer]);
      const result = await sequential(client, "/v1/chat/completions", call(peer, false), count);
      client.close();
      return quantile(result.latencies, 0.5);
    }),
  );
  const seconds = settings.quick ? 1 : 3;
  const load = await interleave(
    settings.rounds,
    each((peer) => async () => {
      const url = `${urls[peer]}/v1/chat/completions`;
      const { result, cpuMs } = await measuredCpu(pids[peer], () => throughput(url, call(peer, false), seconds, 16));
      return (cpuMs * 1000) / result.total;
    }),
  );
  const streams = settings.quick ? 5 : 25;
  const sse = await interleave(
    settings.rounds,
    each((peer) => () => streamRound(urls[peer], pids[peer], call(peer, true), streams)),
  );
  await upstream.stop();
  return peerRows(latency, load, sse, { count, seconds, streams });
}

function peerRows(
  latency: Record<Peer, number[]>,
  load: Record<Peer, number[]>,
  sse: Record<Peer, StreamRound[]>,
  sizes: Record<string, number>,
): Row[] {
  const cpuPerMb = (r: StreamRound) => r.cpuMs / (r.bytes / 1e6);
  const sseCpu = Object.fromEntries(PEERS.map((p) => [p, sse[p].map(cpuPerMb)])) as Record<Peer, number[]>;
  const ttft = Object.fromEntries(PEERS.map((p) => [p, sse[p].map((r) => r.ttftMs)])) as Record<Peer, number[]>;
  const ratio = (figures: Record<Peer, number[]>, over: Peer) => paired(figures.ours, figures[over], (a, b) => a / b);
  const show = (figures: Record<Peer, number[]>, decimals: number, unit: string) =>
    PEERS.map((p) => `${p} ${fmtSummary(summarize(figures[p]), decimals, unit)}`).join("; ");
  const versus = (figures: Record<Peer, number[]>) =>
    `${fmt(ratio(figures, "portkey").median)}× Portkey, ${fmt(ratio(figures, "hono").median)}× Hono`;
  const beats = (figures: Record<Peer, number[]>) =>
    ratio(figures, "portkey").median <= 1 && ratio(figures, "hono").median <= 1.1;
  const ttftOverHono = paired(ttft.ours, ttft.hono, (a, b) => a - b);
  const base = { baseline: "Portkey's gateway 1.15.2 (--headless) and a Hono proxy, on Node", reference: "" };
  return [
    {
      id: "12a",
      scenario: "Node, chat completion (JSON), concurrency 1: p50",
      ...base,
      measured: `${show(latency, 3, " ms")} = ${versus(latency)}`,
      target: "≤ Portkey's; ≤ 1.1× the Hono proxy's",
      verdict: verdict(beats(latency)),
      raw: { p50Ms: latency, requestsPerRound: sizes.count },
    },
    {
      id: "12b",
      scenario: "Node, chat completion (JSON), 16 connections: CPU per request",
      ...base,
      measured: `${show(load, 0, " µs")} = ${versus(load)}`,
      target: "≤ Portkey's; ≤ 1.1× the Hono proxy's",
      verdict: verdict(beats(load)),
      raw: { cpuUsPerRequest: load, seconds: sizes.seconds, connections: 16 },
    },
    {
      id: "12c",
      scenario: `Node, 64-chunk SSE (2 ms apart), ${sizes.streams} streams a round: time to first token (CPU per MB: ${show(sseCpu, 0, " ms")})`,
      ...base,
      measured: `${show(ttft, 3, " ms")}; ours +${fmtSummary(ttftOverHono, 3, " ms")} over Hono`,
      target: "≤ 0.2 ms added over the Hono proxy's",
      verdict: verdict(ttftOverHono.median <= 0.2),
      raw: {
        ttftMs: ttft,
        cpuMsPerMb: sseCpu,
        contentEvents: PEERS.map((p) => sse[p].flatMap((r) => r.contentEvents)),
      },
    },
  ];
}
