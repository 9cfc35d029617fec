// Workers under workerd, one process each (Miniflare, the version wrangler pins), with apps/worker's
// compatibility date and flags read from its wrangler.jsonc: the one place the bench, the client suite
// and the page suite start a Worker.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "jsonc-parser";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

/** The Worker bundle `apps/worker`'s build writes (`wrangler deploy --dry-run --outdir dist`). */
export const WORKER_BUNDLE = fileURLToPath(new URL("../../../apps/worker/dist/index.js", import.meta.url));
const WRANGLER_CONFIG = new URL("../../../apps/worker/wrangler.jsonc", import.meta.url);

export interface Compatibility {
  compatibilityDate: string;
  compatibilityFlags: string[];
}

/** The compatibility date and flags the deployed Worker runs with, as wrangler.jsonc sets them. */
export function workerCompatibility(): Compatibility {
  const config = parse(readFileSync(WRANGLER_CONFIG, "utf8")) as {
    compatibility_date?: unknown;
    compatibility_flags?: unknown;
  };
  if (typeof config.compatibility_date !== "string") {
    throw new Error(`${fileURLToPath(WRANGLER_CONFIG)} has no compatibility_date`);
  }
  const flags = Array.isArray(config.compatibility_flags) ? config.compatibility_flags.map(String) : [];
  return { compatibilityDate: config.compatibility_date, compatibilityFlags: flags };
}

export interface WorkerSpec {
  /** A bundled ES module Worker on disk (default: the built apps/worker), or its source text. */
  scriptPath?: string;
  script?: string;
  bindings?: Record<string, string>;
  kvNamespaces?: string[];
  /** Durable Object bindings: binding name → the exported class (SQLite-backed, as `new_sqlite_classes`). */
  durableObjects?: Record<string, string>;
  /** Opens V8's inspector on this port (0: any free one; see `mf.getInspectorURL()`), for profiles. */
  inspectorPort?: number;
}

export interface RunningWorker {
  /** The Worker's own socket, e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  mf: Miniflare;
  /** Stops workerd; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts one Worker. Its URL is the Worker's own socket, not Miniflare's entry Worker (which proxies
 * every request through a second JS Worker that production does not have).
 */
export async function startWorkerd(spec: WorkerSpec = {}): Promise<RunningWorker> {
  const scriptPath = spec.script === undefined ? (spec.scriptPath ?? WORKER_BUNDLE) : undefined;
  const mf = new Miniflare({
    ...convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      modules: true,
      // modulesRoot: workerd refuses module paths that climb out of it.
      ...(scriptPath ? { scriptPath, modulesRoot: dirname(scriptPath) } : { script: spec.script ?? "" }),
      ...workerCompatibility(),
      bindings: spec.bindings ?? {},
      kvNamespaces: spec.kvNamespaces ?? [],
      durableObjects: Object.fromEntries(
        Object.entries(spec.durableObjects ?? {}).map(([name, className]) => [name, { className, useSQLite: true }]),
      ),
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    }),
    ...(spec.inspectorPort === undefined ? {} : { inspectorPort: spec.inspectorPort }),
    // Request lines and the Worker's console.log would otherwise go to the caller's stdout.
    logRequests: false,
    handleStructuredLogs: () => {},
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= mf.dispose();
    return stopped;
  };
  try {
    await mf.ready;
    return { url: (await mf.unsafeGetDirectURL()).href.replace(/\/$/, ""), mf, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** The path of the workerd binary Miniflare runs (the `workerd` package's export, as Miniflare reads it). */
export function workerdBinary(): string {
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve("miniflare"));
  return (fromMiniflare("workerd") as { default: string }).default;
}

/** The version line of the workerd binary Miniflare runs (e.g. "workerd 2026-11-17"). */
export function workerdVersion(): string {
  return execFileSync(workerdBinary(), ["--version"], { encoding: "utf8" }).trim();
}
