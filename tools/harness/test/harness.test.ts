// The harness starts what it says and stops it, within its deadlines.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { run, start, stopChild, withTimeout } from "../src/processes.ts";
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
