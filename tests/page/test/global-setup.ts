// Starts what the page is served by: the emulator in Node (Baseten, with one hostile catalog row) and
// the real Worker bundle (apps/worker/dist) under workerd twice: a public operator catalog, and
// pass-through mode.
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator, type Emulator } from "@baseten-edge/emulator";
import { startEmulatorServer } from "@baseten-edge/emulator/node";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import type { TestProject } from "vitest/node";
import { GATEWAY_TOKEN, HOSTILE_DESCRIPTION, HOSTILE_NAME, KEY } from "./constants.ts";

const WORKER_BUNDLE = fileURLToPath(new URL("../../../apps/worker/dist/index.js", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker in operator mode with PUBLIC_CATALOG=true. */
    publicUrl: string;
    /** The Worker in pass-through mode. */
    passThroughUrl: string;
    /** How many Model APIs the emulator lists. */
    catalogSize: number;
  }
}

/** The emulator, except that its first catalog row carries markup in its name and description. */
function hostileEmulator(): Emulator {
  const emulator = createEmulator();
  return {
    requests: emulator.requests,
    faults: emulator.faults,
    catalogSize: emulator.catalogSize,
    async fetch(input, init) {
      const response = await emulator.fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname !== "/v1/model_apis" || response.status !== 200) return response;
      const body = (await response.json()) as { items: { description: string; display_name: string }[] };
      if (body.items[0]) Object.assign(body.items[0], { description: HOSTILE_DESCRIPTION, display_name: HOSTILE_NAME });
      return Response.json(body);
    },
  };
}

async function startWorker(bindings: Record<string, string>): Promise<{ url: string; mf: Miniflare }> {
  const mf = new Miniflare({
    ...convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      modules: true,
      scriptPath: WORKER_BUNDLE,
      // workerd refuses module paths that climb out of its modules root.
      modulesRoot: dirname(WORKER_BUNDLE),
      compatibilityDate: "2026-11-01",
      compatibilityFlags: ["enable_request_signal"],
      bindings: { CACHE_SALT: "page-suite-cache-salt-not-a-secret", CATALOG_FRESH_SECONDS: "600", ...bindings },
      kvNamespaces: ["CATALOG_KV"],
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    }),
    logRequests: false,
    handleStructuredLogs: () => {},
  });
  await mf.ready;
  return { url: (await mf.unsafeGetDirectURL()).href.replace(/\/$/, ""), mf };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = hostileEmulator();
  const server = await startEmulatorServer({ emulator });
  const upstream = { BASETEN_MANAGEMENT_URL: server.url, BASETEN_INFERENCE_URL: server.url };
  const started: Miniflare[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((mf) => mf.dispose()));
    await server.close();
  };
  try {
    const publicWorker = await startWorker({
      ...upstream,
      AUTH_MODE: "operator",
      PUBLIC_CATALOG: "true",
      BASETEN_API_KEY: KEY,
      GATEWAY_TOKENS: createHash("sha256").update(GATEWAY_TOKEN).digest("hex"),
    });
    started.push(publicWorker.mf);
    const passThrough = await startWorker({ ...upstream, AUTH_MODE: "pass-through", PUBLIC_CATALOG: "false" });
    started.push(passThrough.mf);
    project.provide("publicUrl", publicWorker.url);
    project.provide("passThroughUrl", passThrough.url);
    project.provide("catalogSize", emulator.catalogSize);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
