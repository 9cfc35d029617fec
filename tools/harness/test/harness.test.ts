// The harness starts what it says and stops it, within its deadlines.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aptInstall, run, start, stopChild, withTimeout } from "../src/processes.ts";
import { startWorkerd, workerCompatibility, workerdVersion } from "../src/workerd.ts";

const node = process.execPath;

describe("processes", () => {
  it("runs a command to the end and returns its output", async () => {
    const output = await run(node, ["-e", "console.log('hello')"], { cwd: ".", env: process.env, timeoutMs: 10_000 });
    expect(output.trim()).toBe("hello");
  });

  it("throws with the command's output when it fails", async () => {
    const failing = run(node, ["-e", "console.error('broken'); process.exit(3)"], {
      cwd: ".",
      env: process.env,
      timeoutMs: 10_000,
    });
    await expect(failing).rejects.toThrow(/exited with 3:\nbroken/);
  });

  it("starts a server, hands back what its ready line matched, and stops it", async () => {
    const script = "console.log('listening on port 4242'); setInterval(() => {}, 1000)";
    const server = await start(node, ["-e", script], {
      cwd: ".",
      env: process.env,
      timeoutMs: 10_000,
      ready: /port (\d+)/,
    });
    expect(server.match[1]).toBe("4242");
    await server.stop();
  });

  it("stops a child that ignores SIGTERM with SIGKILL after the grace period", async () => {
    const child = spawn(node, [
      "-e",
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    ]);
    // Only once it says so has it installed the handler that ignores SIGTERM.
    await new Promise((resolve) => child.stdout.once("data", resolve));
    await stopChild(child, { graceMs: 100 });
    expect(child.signalCode).toBe("SIGKILL");
  });

  it("rejects a promise that outlives its deadline, naming what took too long", async () => {
    await expect(withTimeout(new Promise(() => {}), 20, "waiting for nothing")).rejects.toThrow(
      "waiting for nothing took longer than 20 ms",
    );
  });
});

// A stand-in apt-get: logs its arguments, and fails like the real one on dpkg's lock when another runs.
const fakeAptGet = `#!/bin/sh
echo "$*" >> "$APT_LOG"
mkdir "$APT_LOG.busy" 2>/dev/null || { echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100; }
sleep 0.3
rmdir "$APT_LOG.busy"
`;

// flock comes with util-linux, on every Debian and Ubuntu (where apt is).
describe.skipIf(!existsSync("/usr/bin/flock"))("aptInstall", () => {
  it("lets two callers at once take turns, each apt-get waiting for dpkg's lock", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fake-apt-"));
    try {
      await writeFile(join(dir, "apt-get"), fakeAptGet);
      await chmod(join(dir, "apt-get"), 0o755);
      const env = { PATH: `${dir}:${process.env.PATH}`, APT_LOG: join(dir, "log") };
      await Promise.all([aptInstall(["redis-server"], env), aptInstall(["chromium"], env)]);
      const calls = (await readFile(env.APT_LOG, "utf8")).trim().split("\n");
      expect(calls).toHaveLength(4);
      for (const call of calls) expect(call).toMatch(/^-o DPkg::Lock::Timeout=300 (update|install)/);
      expect(calls.filter((call) => call.includes("install")).map((call) => call.split(" ").at(-1))).toEqual(
        expect.arrayContaining(["redis-server", "chromium"]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("workerd", () => {
  it("reads the compatibility date and flags from apps/worker/wrangler.jsonc", () => {
    const { compatibilityDate, compatibilityFlags } = workerCompatibility();
    expect(compatibilityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(compatibilityFlags).toContain("enable_request_signal");
  });

  it("names the workerd it runs", () => {
    expect(workerdVersion()).toMatch(/^workerd /);
  });

  it("serves a Worker on its own socket with its bindings, and stops it", async () => {
    const worker = await startWorkerd({
      script: "export default { fetch: (_request, env) => new Response(env.GREETING) };",
      bindings: { GREETING: "hello from workerd" },
    });
    try {
      expect(await (await fetch(worker.url)).text()).toBe("hello from workerd");
    } finally {
      await worker.stop();
      await worker.stop();
    }
    await expect(fetch(worker.url)).rejects.toThrow();
  });
});
