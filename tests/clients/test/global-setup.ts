// Starts the stack every client talks to: the emulator in Node (Baseten) and the real Worker bundle
// (apps/worker/dist) under workerd through Miniflare, configured through bindings like a deployment.

import { startEmulatorServer } from "@baseten-edge/emulator/node";
import { type RunningWorker, startWorkerd } from "@baseten-edge/harness/workerd";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker's own socket, e.g. http://127.0.0.1:43121 */
    gatewayUrl: string;
    /** The emulator, for queueing faults through its admin routes. */
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startEmulatorServer({ seed: 12 });
  let worker: RunningWorker;
  try {
    worker = await startWorkerd({
      bindings: {
        AUTH_MODE: "pass-through",
        PUBLIC_CATALOG: "false",
        BASETEN_MANAGEMENT_URL: emulator.url,
        BASETEN_INFERENCE_URL: emulator.url,
        CACHE_SALT: "client-suite-cache-salt-not-a-secret",
        CATALOG_FRESH_SECONDS: "600",
        CATALOG_MAX_STALE_SECONDS: "86400",
      },
      kvNamespaces: ["CATALOG_KV"],
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const gatewayUrl = worker.url;
  project.provide("gatewayUrl", gatewayUrl);
  project.provide("emulatorUrl", emulator.url);
  return async () => {
    await worker.stop();
    await emulator.close();
  };
}
