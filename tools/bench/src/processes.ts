// Everything the harness starts (emulator servers, workerd via Miniflare), and how it is all stopped.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sleep, stopChild, withTimeout } from "@baseten-edge/harness";
import { startWorkerd, type WorkerSpec } from "@baseten-edge/harness/workerd";

export { sleep, withTimeout };

const cleanups: Array<() => Promise<unknown> | unknown> = [];

/** Registers a stop action; `stopAll()` runs them newest first. */
export function onStop(action: () => Promise<unknown> | unknown): void {
  cleanups.push(action);
}

export async function stopAll(): Promise<void> {
  while (cleanups.length > 0) {
    const action = cleanups.pop()!;
    await Promise.race([
      Promise.resolve()
        .then(action)
        .catch(() => {}),
      sleep(5_000),
    ]);
  }
}

export interface Upstream {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface UpstreamOptions {
  /** Synthetic Model APIs after the ten real ones. */
  models: number;
  /** Content deltas in every streamed chat answer. */
  chunks?: number;
  chunkDelayMs?: number;
  /** Baseten's requests-a-minute limit for gpt-oss-120b in the workspace (default: the emulator's, 120). */
  modelRpm?: number;
}

/**
 * The emulator in a child process (src/upstream.ts), so the load generator and the upstream do not
 * share an event loop. Its stdin is a pipe: when the harness dies, the upstream exits too.
 */
export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  const args = [
    "--models",
    String(options.models),
    "--chunks",
    String(options.chunks ?? 64),
    "--chunk-delay",
    String(options.chunkDelayMs ?? 0),
    ...(options.modelRpm === undefined ? [] : ["--model-rpm", String(options.modelRpm)]),
  ];
  return startNodeServer([fileURLToPath(new URL("upstream.ts", import.meta.url)), ...args], {}, "the emulator");
}

/**
 * A Node server in a child process (`node ...args`), ready once its output names its URL
 * (`listening on <url>`, or any `http://host:port` when `anyUrl`). Its stdin is a pipe: when the
 * harness dies, a server that watches stdin exits too; its output and logs are read and dropped.
 */
export async function startNodeServer(
  args: string[],
  env: Record<string, string>,
  label: string,
  anyUrl = false,
): Promise<Upstream> {
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  const stop = () => stopChild(child);
  onStop(stop);
  // stderr carries a server's logs (the gateway's request events): drained, its tail kept for errors.
  let errors = "";
  child.stderr!.on("data", (data: Buffer) => {
    errors = (errors + data.toString()).slice(-2_000);
  });
  const pattern = anyUrl ? /(http:\/\/[\w.[\]:-]+:\d+)/ : /listening on (\S+)/;
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let seen = "";
      child.stdout!.on("data", (data: Buffer) => {
        if (seen.length > 100_000) return; // found long ago: later output is only drained
        seen += data.toString();
        const found = pattern.exec(seen)?.[1];
        if (found) resolve(found.replace(/\/$/, ""));
      });
      child.once("exit", (code) => reject(new Error(`${label} exited (${code}) before listening: ${seen}${errors}`)));
    }),
    15_000,
    `starting ${label}`,
  );
  return { url, pid: child.pid!, stop };
}

export interface WorkerOnWorkerd {
  url: string;
  /** The workerd process that runs this Worker alone (for CPU accounting). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Runs one Worker in its own workerd process, stopped by `stopAll()`, with that process's pid for CPU accounting. */
export async function startWorker(spec: WorkerSpec): Promise<WorkerOnWorkerd> {
  const before = new Set(workerdChildren());
  const worker = await withTimeout(startWorkerd(spec), 30_000, "starting workerd");
  onStop(worker.stop);
  const pid = workerdChildren().find((p) => !before.has(p));
  return { url: worker.url, pid, stop: worker.stop };
}

/** workerd processes started by this process (Miniflare spawns one per instance). */
function workerdChildren(): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && stat.includes("(workerd)")) found.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/**
 * CPU time a process has used, in milliseconds, summed over its threads. schedstat counts
 * nanoseconds; /proc/<pid>/stat's utime+stime (10 ms ticks) is too coarse for a few streams.
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended while we looked
    }
  }
  return ns / 1e6;
}
