// Probe: what workerd does with (a) a declared over-limit Content-Length answered before the body
// and (b) a client that leaves before response headers. Run: node src/probe-workerd.ts
import { createServer } from "node:http";
import { connect } from "node:net";
import { startWorker, stopAll } from "./processes.ts";

function rawRequest(
  url: string,
  head: string,
  bodyPart: string,
  waitMs: number,
): Promise<{ firstBytesAfterMs: number | null; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = performance.now();
    let first: number | null = null;
    let text = "";
    const socket = connect(Number(port), hostname, () => socket.write(head + bodyPart));
    socket.on("data", (d) => {
      first ??= performance.now() - started;
      text += d.toString();
    });
    const done = () => resolve({ firstBytesAfterMs: first, text: text.split("\r\n")[0] ?? "" });
    setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs);
  });
}

// An upstream that never answers and notes when each request's connection closes.
const closes: { path: string; openedAt: number; closedAfterMs: number | null }[] = [];
const hung = createServer((req) => {
  const note = { path: req.url ?? "", openedAt: performance.now(), closedAfterMs: null as number | null };
  closes.push(note);
  req.socket.on("close", () => {
    note.closedAfterMs = performance.now() - note.openedAt;
  });
});
await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
const upstreamUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;

const control = await startWorker({
  script: `export default { async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/refuse") return new Response("too large", { status: 413 });
    if (url.pathname === "/self-abort") {
      try { await fetch(env.UPSTREAM, { signal: AbortSignal.timeout(300) }); } catch {}
      return new Response("gave up");
    }
    const started = Date.now();
    try {
      const r = await fetch(env.UPSTREAM, { signal: request.signal });
      return new Response("upstream answered " + r.status);
    } catch (e) { return new Response("aborted after " + (Date.now() - started)); }
  } };`,
  bindings: { UPSTREAM: `${upstreamUrl}/control` },
});
const gateway = await startWorker({
  scriptPath: (await import("./scenarios/workerd.ts")).WORKER_BUNDLE,
  bindings: {
    CACHE_SALT: "probe-salt-0123456789abcdef",
    BASETEN_INFERENCE_URL: upstreamUrl,
    BASETEN_MANAGEMENT_URL: upstreamUrl,
  },
});
for (const [name, url, path] of [
  ["control Worker", control.url, "/refuse"],
  ["gateway Worker", gateway.url, "/v1/chat/completions"],
] as const) {
  const head = `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\ncontent-type: application/json\r\ncontent-length: 20000000\r\n\r\n`;
  const result = await rawRequest(url, head, '{"model":"x"', 1500);
  console.log(
    `${name}: declared 20 MB, sent 12 bytes: first answer bytes after ${result.firstBytesAfterMs?.toFixed(0) ?? "none (1.5 s)"} ms: ${result.text}`,
  );
}
// (b) The client leaves 300 ms after sending, before any response header.
const chat = JSON.stringify({ model: "m", messages: [] });
for (const [name, url, head] of [
  ["control Worker", control.url, "GET /wait HTTP/1.1\r\nhost: x\r\n\r\n"],
  [
    "gateway Worker",
    gateway.url,
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\ncontent-type: application/json\r\ncontent-length: ${chat.length}\r\n\r\n${chat}`,
  ],
] as const) {
  const before = closes.length;
  await rawRequest(url, head, "", 300);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const seen = closes.slice(before).filter((c) => c.path !== "/v1/models");
  console.log(
    `${name}: client left after 300 ms; upstream requests ${seen.length}, closed after ${seen.map((c) => (c.closedAfterMs === null ? "never (2 s)" : `${c.closedAfterMs.toFixed(0)} ms`)).join(", ")}`,
  );
}
// (c) The Worker itself aborts its subrequest after 300 ms (what the gateway's timeouts do).
{
  const before = closes.length;
  const result = await rawRequest(control.url, "GET /self-abort HTTP/1.1\r\nhost: x\r\n\r\n", "", 2000);
  const seen = closes.slice(before);
  console.log(
    `control Worker aborting its own fetch after 300 ms (${result.text}): upstream closed after ${seen.map((c) => (c.closedAfterMs === null ? "never (2 s)" : `${c.closedAfterMs.toFixed(0)} ms`)).join(", ")}`,
  );
}
hung.closeAllConnections();
hung.close();
await stopAll();
process.exit(0);
