// The Node server and the bin: real sockets on 127.0.0.1, destroyed connections for network faults, cancellations noticed.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorServer, startEmulatorServer } from "../src/node.ts";
import { bearer, CHAT } from "./helpers.ts";

let server: EmulatorServer;
beforeAll(async () => {
  server = await startEmulatorServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

function chat(fault: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { ...bearer(), "content-type": "application/json", "x-emulator-fault": fault },
    body: JSON.stringify({ ...CHAT, stream: true }),
    ...init,
  });
}

/**
 * POSTs `chunk` again and again, stopping at `max` bytes or as soon as the server answers, whichever comes
 * first; `end` ends the body at `max` (a declared Content-Length larger than what is sent is never ended).
 */
function upload(
  headers: Record<string, string>,
  chunk: Uint8Array,
  max: number,
  end: boolean,
): Promise<{ status: number | undefined; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/v1/chat/completions`, { method: "POST", headers: { ...bearer(), ...headers } });
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode, sent });
      req.destroy();
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const write = (): void => {
      while (!answered && sent < max) {
        sent += chunk.byteLength;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (!answered && end) req.end();
    };
    write();
  });
}

async function waitFor<T>(probe: () => T | undefined, ms = 1000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("startEmulatorServer", () => {
  it("listens on a loopback port and serves the catalog", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/v1/model_apis?limit=2`, { headers: bearer() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(2);
  });

  it("answers a malformed percent-escape in a Model API name with 404, not an emulator failure", async () => {
    const res = await fetch(`${server.url}/v1/model_apis/%E0%A4%A`, { headers: bearer() });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Model API "%E0%A4%A" not found' });
  });

  it("answers 413 to a declared 5 GB body at once, without waiting for it", async () => {
    const answer = await upload({ "content-length": String(5 * 1024 ** 3) }, new Uint8Array(1024), 1024, false);
    expect(answer).toEqual({ status: 413, sent: 1024 });
  });

  it("answers 413 to a chunked body as soon as it passes 100 MB, without reading the rest", async () => {
    const answer = await upload(
      { "transfer-encoding": "chunked" },
      new Uint8Array(1024 * 1024),
      300 * 1024 * 1024,
      true,
    );
    expect(answer.status).toBe(413);
    expect(answer.sent).toBeLessThan(200 * 1024 * 1024);
  });

  it("still serves the next request after a refused body", async () => {
    await upload({ "content-length": String(5 * 1024 ** 3) }, new Uint8Array(1024), 1024, false);
    const res = await fetch(`${server.url}/v1/models`, { headers: bearer() });
    expect(res.status).toBe(200);
  });

  it("streams SSE with the recorded headers over HTTP", async () => {
    const res = await chat("chunks=8");
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect((await res.text()).endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("destroys the socket for a connection reset, so fetch fails before headers", async () => {
    await expect(chat("reset")).rejects.toThrow(TypeError);
  });

  it("destroys the socket mid-stream for a cut-off, so the body fails without [DONE]", async () => {
    server.emulator.requests.clear();
    const res = await chat("cut-after=2");
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    const record = server.emulator.requests.list()[0];
    expect(record).toMatchObject({ networkError: "cut", completedAt: null });
  });

  it("notices a client that aborts mid-stream, long before the stream's end, and logs cancelledAt", async () => {
    server.emulator.requests.clear();
    const aborter = new AbortController();
    const res = await chat("chunks=1000; chunk-delay=20", { signal: aborter.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const abortedAt = Date.now();
    aborter.abort();
    // The stream would run 20 s: noticed within a few, not at its end.
    const cancelledAt = await waitFor(() => server.emulator.requests.list()[0]?.cancelledAt ?? undefined, 5000);
    expect(cancelledAt - abortedAt).toBeLessThan(5000);
  });

  it("notices a client that gives up on a hung request and logs cancelledAt", async () => {
    server.emulator.requests.clear();
    const pending = chat("hang", { signal: AbortSignal.timeout(100) });
    await expect(pending).rejects.toThrow();
    const cancelledAt = await waitFor(() => server.emulator.requests.list()[0]?.cancelledAt ?? undefined);
    expect(cancelledAt).toEqual(expect.any(Number));
  });

  it("closes even while a request hangs", async () => {
    const other = await startEmulatorServer({ port: 0 });
    const pending = fetch(`${other.url}/v1/models`, { headers: { ...bearer(), "x-emulator-fault": "hang" } }).catch(
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    await other.close();
    expect(await pending).toBeInstanceOf(TypeError);
  });
});

describe("baseten-emulator bin", () => {
  const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

  it("starts on port 0, prints its URL, serves requests and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [bin, "--port", "0", "--models", "20", "--seed", "3"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [line] = (await once(child.stdout, "data")) as [Buffer];
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line.toString())?.[1];
      expect(url).toBeDefined();
      const res = await fetch(`${url}/v1/model_apis?limit=1000`, { headers: bearer() });
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(30);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });

  it("exits with status 2 and the usage for a bad flag", async () => {
    const child = spawn(process.execPath, [bin, "--models", "lots"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain("--models must be a whole number");
    expect(stderr).toContain("Usage:");
  });
});
