// Loopback HTTP clients: exact per-request timing at concurrency 1, SSE event timing, and autocannon for throughput.
import { Agent, request as httpRequest } from "node:http";
import autocannon from "autocannon";

export interface Call {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

export interface Timed {
  /** Milliseconds from writing the request to the last byte of the answer. */
  latencyMs: number;
  status: number;
  bytes: number;
  /** Milliseconds from the start to each SSE event with content (only when asked for). */
  contentEventsMs: number[];
  text: string | undefined;
}

/** One keep-alive connection per client, like a long-lived SDK. */
export function createClient(base: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(base);

  function send(path: string, call: Call, options: { sse?: boolean; keepText?: boolean } = {}): Promise<Timed> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const contentEventsMs: number[] = [];
      let pending = "";
      let bytes = 0;
      let text = options.keepText ? "" : undefined;
      const req = httpRequest(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path,
          method: call.method ?? "GET",
          headers: { ...call.headers, ...(call.body ? { "content-length": Buffer.byteLength(call.body) } : {}) },
        },
        (res) => {
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            const now = performance.now() - started;
            bytes += Buffer.byteLength(chunk);
            if (text !== undefined) text += chunk;
            if (!options.sse) return;
            // Every complete event in this read gets the read's time: that is when the client saw it.
            pending += chunk;
            for (let end = pending.indexOf("\n\n"); end !== -1; end = pending.indexOf("\n\n")) {
              if (hasContent(pending.slice(0, end))) contentEventsMs.push(now);
              pending = pending.slice(end + 2);
            }
          });
          res.on("end", () =>
            resolve({
              latencyMs: performance.now() - started,
              status: res.statusCode ?? 0,
              bytes,
              contentEventsMs,
              text,
            }),
          );
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${base}${path} within 30 s`)));
      req.on("error", reject);
      req.end(call.body);
    });
  }

  return { send, close: () => agent.destroy() };
}

/** A `data:` event carrying generated text (OpenAI `delta.content`). */
function hasContent(event: string): boolean {
  return event.startsWith("data: {") && /"delta":\{"content":"[^"]/.test(event);
}

/** Sends `count` requests one after another; latencies in ms and requests per second. */
export async function sequential(client: ReturnType<typeof createClient>, path: string, call: Call, count: number) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const timed = await client.send(path, call);
    if (timed.status !== 200) throw new Error(`${path} answered ${timed.status}`);
    latencies.push(timed.latencyMs);
  }
  return { latencies, rps: count / ((performance.now() - started) / 1000) };
}

/** autocannon for `seconds` with `connections`; requests per second, failures counted. */
export async function throughput(url: string, call: Call, seconds: number, connections: number) {
  const result = await autocannon({
    url,
    method: call.method ?? "GET",
    headers: call.headers ?? {},
    ...(call.body ? { body: call.body } : {}),
    connections,
    duration: seconds,
    timeout: 10,
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  if (failures > 0) throw new Error(`${failures} of ${result.requests.total} requests to ${url} failed`);
  return { rps: result.requests.total / seconds, total: result.requests.total };
}
