// Starts what the page is served by: the emulator in Node (Baseten, with one hostile catalog row) and
// the real Worker bundle (apps/worker/dist) under workerd twice: a public operator catalog, and
// pass-through mode.
import { createHash } from "node:crypto";
import { createEmulator, type Emulator } from "@baseten-edge/emulator";
import { startEmulatorServer } from "@baseten-edge/emulator/node";
import { type RunningWorker, startWorkerd } from "@baseten-edge/harness/workerd";
import type { TestProject } from "vitest/node";
import { GATEWAY_TOKEN, HOSTILE_DESCRIPTION, HOSTILE_NAME, KEY } from "./constants.ts";

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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = hostileEmulator();
  const server = await startEmulatorServer({ emulator });
  // What both Workers share: the emulator upstream, a throwaway salt, a long freshness, and a KV tier.
  const common = {
    BASETEN_MANAGEMENT_URL: server.url,
    BASETEN_INFERENCE_URL: server.url,
    CACHE_SALT: "page-suite-cache-salt-not-a-secret",
    CATALOG_FRESH_SECONDS: "600",
  };
  const kvNamespaces = ["CATALOG_KV"];
  const started: RunningWorker[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((worker) => worker.stop()));
    await server.close();
  };
  try {
    const publicWorker = await startWorkerd({
      kvNamespaces,
      bindings: {
        ...common,
        AUTH_MODE: "operator",
        PUBLIC_CATALOG: "true",
        BASETEN_API_KEY: KEY,
        GATEWAY_TOKENS: createHash("sha256").update(GATEWAY_TOKEN).digest("hex"),
      },
    });
    started.push(publicWorker);
    const passThrough = await startWorkerd({
      kvNamespaces,
      bindings: { ...common, AUTH_MODE: "pass-through", PUBLIC_CATALOG: "false" },
    });
    started.push(passThrough);
    project.provide("publicUrl", publicWorker.url);
    project.provide("passThroughUrl", passThrough.url);
    project.provide("catalogSize", emulator.catalogSize);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
