// Child processes with deadlines: every start, wait and command is bounded, and every child dies with its parent.
// Used by the runtime matrix, the bench and `./run dev`.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

const children = new Set<ChildProcess>();

/** Kills one child and everything it started (each runs in its own process group). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

let guarding = false;
/** On the first child started: children die with this process, however it ends. */
function guardChildren(): void {
  if (guarding) return;
  guarding = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const child of children) killGroup(child, "SIGKILL");
      process.exit(130);
    });
  }
  process.once("exit", () => {
    for (const child of children) killGroup(child, "SIGKILL");
  });
}

/**
 * Stops a child started by anyone: `signal` (SIGTERM unless told), then SIGKILL after `graceMs`.
 * Resolves when it has exited.
 */
export function stopChild(
  child: ChildProcess,
  { signal = "SIGTERM", graceMs = 3_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
  return exited.finally(() => clearTimeout(force));
}

/** Rejects after `ms` with a message naming what took too long. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Started {
  /** The first match of `ready` in the output (e.g. the URL it listens on). */
  match: RegExpMatchArray;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

interface SpawnOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  timeoutMs: number;
}

function launch(command: string, args: string[], options: SpawnOptions) {
  guardChildren();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout.on("data", (data: Buffer) => (output += data));
  child.stderr.on("data", (data: Buffer) => (output += data));
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => {
      children.delete(child);
      resolve(code);
    });
    child.once("error", (error) => {
      output += `\n${error.message}`;
      children.delete(child);
      resolve(null);
    });
  });
  return { child, exited, output: () => output };
}

/** The last lines of a process's output, for failure messages. */
export function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs a command to the end; throws with its output when it fails or outlives `timeoutMs`. */
export async function run(command: string, args: string[], options: SpawnOptions): Promise<string> {
  const { child, exited, output } = launch(command, args, options);
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), options.timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  if (code !== 0) {
    const why =
      code === null ? `did not finish within ${options.timeoutMs} ms or could not start` : `exited with ${code}`;
    throw new Error(`${command} ${args.join(" ")} ${why}:\n${tail(output())}`);
  }
  return output();
}

/** Starts a server and waits until its output matches `ready`; throws (and kills it) otherwise. */
export async function start(
  command: string,
  args: string[],
  options: SpawnOptions & { ready: RegExp },
): Promise<Started> {
  const { child, exited, output } = launch(command, args, options);
  const stop = async () => {
    killGroup(child);
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + options.timeoutMs;
  let code: number | null | undefined;
  void exited.then((c) => (code = c ?? -1));
  for (;;) {
    const match = output().match(options.ready);
    if (match) return { match, output, stop };
    if (code !== undefined || Date.now() > deadline) {
      await stop();
      const why =
        code !== undefined ? `exited (${code}) before it was ready` : `was not ready within ${options.timeoutMs} ms`;
      throw new Error(`${command} ${args.join(" ")} ${why}:\n${tail(output())}`);
    }
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Held (flock) around each aptInstall: test processes that start at once take turns. */
const APT_LOCK = "/tmp/baseten-edge-apt.lock";
/** How long to wait for the turn, and then for dpkg's own lock (held by any other apt user), in seconds. */
const APT_WAIT_S = 300;

/**
 * `apt-get update` then `apt-get install -y --no-install-recommends` (root only: the caller checks).
 * On a fresh machine two suites can need a package at once (the gateway's tests redis-server, the page
 * tests chromium), and a second apt-get fails on dpkg's lock: both steps run under one flock of
 * APT_LOCK, and each apt-get waits for dpkg's lock (`DPkg::Lock::Timeout`) rather than failing on it.
 */
export async function aptInstall(packages: string[], env: Record<string, string | undefined>): Promise<void> {
  const wait = `-o DPkg::Lock::Timeout=${APT_WAIT_S}`;
  // The package names reach apt-get as sh's positional parameters, never as shell text.
  const script = `apt-get ${wait} update && apt-get ${wait} install -y --no-install-recommends "$@"`;
  await run("flock", ["-w", String(APT_WAIT_S), APT_LOCK, "sh", "-c", script, "sh", ...packages], {
    cwd: "/",
    env: { ...env, DEBIAN_FRONTEND: "noninteractive" },
    // The turn, dpkg's lock, then the update (up to 3 minutes) and the install (up to 5).
    timeoutMs: (2 * APT_WAIT_S + 480) * 1000,
  });
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no port from listen(0)");
  return address.port;
}
