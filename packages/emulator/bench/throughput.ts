// Loopback throughput of the Node server: requests/s for a catalog page and for a 64-chunk SSE stream (autocannon, ≤ 10 s each).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
if (!(DURATION_S > 0 && DURATION_S <= 10)) throw new RangeError("BENCH_SECONDS must be between 1 and 10");

// The server runs in its own process so the load generator does not steal its event loop.
const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const child = spawn(process.execPath, [bin, "--port", "0", "--models", "1000"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const [line] = (await once(child.stdout, "data")) as [Buffer];
const url = /listening on (\S+)/.exec(line.toString())?.[1];
if (!url) throw new Error(`the emulator did not print its URL: ${line.toString()}`);

const headers = { authorization: "Bearer emulator-key", "content-type": "application/json" };
const scenarios: Array<{ name: string; options: autocannon.Options }> = [
  { name: "GET /v1/model_apis?limit=100 (catalog page)", options: { url: `${url}/v1/model_apis?limit=100`, headers } },
  {
    name: "POST /v1/chat/completions stream, 64 chunks",
    options: {
      url: `${url}/v1/chat/completions`,
      method: "POST",
      headers: { ...headers, "x-emulator-fault": "chunks=64; chunk-bytes=16" },
      body: JSON.stringify({
        model: "openai/gpt-oss-120b",
        stream: true,
        messages: [{ role: "user", content: "bench" }],
      }),
    },
  },
];

try {
  console.log(`emulator ${url}, ${CONNECTIONS} connections, ${DURATION_S} s per scenario, Node ${process.version}`);
  for (const { name, options } of scenarios) {
    const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S });
    const failures = result.errors + result.timeouts + result.non2xx;
    console.log(
      `${name}\n  ${result.requests.average.toFixed(0)} req/s (total ${result.requests.total}), ` +
        `latency p50 ${result.latency.p50} ms / p99 ${result.latency.p99} ms, ` +
        `${(result.throughput.average / 1024 / 1024).toFixed(1)} MB/s, failures ${failures}`,
    );
    if (failures > 0) process.exitCode = 1;
  }
} finally {
  child.kill("SIGTERM");
}
