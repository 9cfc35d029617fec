// Starts the stack every client talks to: the emulator in Node (Baseten) and the real Worker bundle
// (apps/worker/dist) under workerd through Miniflare, configured through bindings like a deployment.

import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulatorServer } from "@baseten-edge/emulator/node";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import type { TestProject } from "vitest/node";

const WORKER_BUNDLE = fileURLToPath(new URL("../../../apps/worker/dist/index.js", import.meta.url));

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
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    }),
    logRequests: false,
    handleStructuredLogs: () => {},
  });
  try {
    await mf.ready;
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const gatewayUrl = (await mf.unsafeGetDirectURL()).href.replace(/\/$/, "");
  project.provide("gatewayUrl", gatewayUrl);
  project.provide("emulatorUrl", emulator.url);
  return async () => {
    await mf.dispose();
    await emulator.close();
  };
}
