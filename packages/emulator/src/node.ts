// Node-only helpers: serve an emulator over HTTP on a real socket, and load a folder of cassettes.
import { readdir, readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { createEmulator, type Emulator, type EmulatorOptions } from "./emulator.ts";
import { EmulatedNetworkError } from "./network-error.ts";
import { type Cassette, parseCassette } from "./replay.ts";

export interface EmulatorServerOptions extends EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: loopback only. */
  host?: string;
  /** Serve this emulator instead of creating one from the other options. */
  emulator?: Emulator;
}

export interface EmulatorServer {
  /** e.g. `http://127.0.0.1:53124`, no trailing slash. */
  url: string;
  emulator: Emulator;
  /** Stops listening and drops open connections (hung requests included). */
  close(): Promise<void>;
}

/**
 * Starts an emulator on a local port.
 * @example
 * ```ts
 * import { startEmulatorServer } from "@baseten-edge/emulator/node";
 * const server = await startEmulatorServer({ port: 0 });
 * await fetch(`${server.url}/v1/models`, { headers: { authorization: "Bearer emulator-key" } });
 * await server.close();
 * ```
 */
export async function startEmulatorServer(options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const { port = 0, host = "127.0.0.1", emulator: given, ...emulatorOptions } = options;
  const emulator = given ?? createEmulator(emulatorOptions);
  const server = createServer(nodeListener(emulator));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    emulator,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A node:http listener for an emulator. Emulated resets destroy the socket, as a real network failure would; a cut-off
 * body closes it after the bytes before the cut, without the body's clean end.
 */
export function nodeListener(emulator: Emulator): RequestListener {
  return (req, res) => {
    serve(emulator, req, res).catch(() => res.destroy());
  };
}

async function serve(emulator: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const aborter = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) aborter.abort(new DOMException("the client disconnected", "AbortError"));
  });
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? "");
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  // `duplex` is required for a stream body but missing from the DOM lib's RequestInit.
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    body: hasBody ? bodyStream(req) : null,
    duplex: "half",
    signal: aborter.signal,
  } as RequestInit);

  let response: Response;
  try {
    response = await emulator.fetch(request);
  } catch (error) {
    if (EmulatedNetworkError.isInstance(error) || aborter.signal.aborted) return void req.socket.destroy();
    res
      .writeHead(500, { "content-type": "application/json" })
      .end(JSON.stringify({ error: `emulator failure: ${String(error)}` }));
    return;
  }

  const outHeaders: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outHeaders["set-cookie"] = cookies;
  // A body the emulator refused unread (413) leaves the connection mid-request: it cannot carry another one.
  if (hasBody && !req.complete) outHeaders.connection = "close";
  res.writeHead(response.status, response.statusText || undefined, outHeaders);
  res.flushHeaders();
  if (!response.body) return void res.end();

  const reader = response.body.getReader();
  res.on("close", () => {
    if (!res.writableFinished) reader.cancel(aborter.signal.reason).catch(() => {});
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch (error) {
    // A body that errors ends the connection with no clean end (no last chunk). A cut-off fault's bytes
    // before the cut still arrive, as on a real connection that breaks after sending them.
    const socket = res.socket;
    if (!EmulatedNetworkError.isInstance(error) || !socket) return void res.destroy();
    socket.end(() => socket.destroy());
  }
}

/**
 * The request body as a web stream that reads the socket only as the emulator asks, so the emulator counts
 * the bytes and stops at its limit; cancelling it leaves the rest unread (the connection is then closed).
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
    },
    { highWaterMark: 0 },
  );
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Every `*.yaml` / `*.yml` cassette under `dir`, named by its path relative to `dir`, in path order. */
export async function loadCassetteDir(dir: string): Promise<Cassette[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(files.map(async (file) => parseCassette(await readFile(file, "utf8"), relative(dir, file))));
}
