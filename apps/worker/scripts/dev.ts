// `pnpm dev`: the local Baseten emulator on :8790 and the Worker (wrangler dev) on :8787 in front of it; no keys, no network.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const HOST = "127.0.0.1";
const EMULATOR_PORT = 8790;
const WORKER_PORT = 8787;
const WORKER = `http://${HOST}:${WORKER_PORT}`;

// The emulator is a workspace package served from its build; a bare `pnpm dev` in this folder on
// a fresh clone has no build yet, and that deserves a sentence rather than a stack trace.
let emulatorNode: typeof import("@baseten-edge/emulator/node");
try {
  emulatorNode = await import("@baseten-edge/emulator/node");
} catch {
  console.error("dev: @baseten-edge/emulator is not built. Run `pnpm dev` from the repository root (it builds first), or `pnpm turbo run build --filter=@baseten-edge/worker^...`.");
  process.exit(1);
}
const { DEFAULT_API_KEY } = await import("@baseten-edge/emulator");

let emulator: Awaited<ReturnType<typeof emulatorNode.startEmulatorServer>>;
try {
  emulator = await emulatorNode.startEmulatorServer({ host: HOST, port: EMULATOR_PORT });
} catch (error) {
  console.error(`dev: cannot start the emulator on ${HOST}:${EMULATOR_PORT}: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`dev: Baseten emulator on ${emulator.url} (${emulator.emulator.catalogSize} Model APIs)`);

// Run wrangler's own entry with this Node: no shell, no .cmd shim, the same on every OS.
const wranglerBin = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js");
const vars = { BASETEN_MANAGEMENT_URL: emulator.url, BASETEN_INFERENCE_URL: emulator.url };
const wrangler = spawn(
  process.execPath,
  [wranglerBin, "dev", "--ip", HOST, "--port", String(WORKER_PORT), ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
  {
    stdio: "inherit",
    // wrangler reads required secrets from its environment (not argv, which `ps` shows). This
    // default only keys this machine's throwaway cache; a CACHE_SALT already exported is kept.
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CACHE_SALT: process.env["CACHE_SALT"] ?? "local-dev-cache-salt-not-secret" },
  },
);

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null && wrangler.signalCode === null) {
    const exited = new Promise((resolve) => wrangler.once("exit", resolve));
    wrangler.kill("SIGINT");
    // wrangler stops workerd on SIGINT; one that hangs is not left running behind us.
    const timer = setTimeout(() => wrangler.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await emulator.close().catch(() => {});
  process.exit(code);
}
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));
wrangler.once("exit", (code) => void stop(code ?? 1));
wrangler.once("error", (error) => {
  console.error(`dev: cannot start wrangler: ${error.message}`);
  void stop(1);
});

// Print the commands only once they work, so the first one tried succeeds.
for (let attempt = 0; attempt < 600 && !stopping; attempt++) {
  const ready = await fetch(`${WORKER}/healthz`).then((r) => r.ok, () => false);
  if (ready) {
    const auth = `-H 'Authorization: Bearer ${DEFAULT_API_KEY}'`;
    console.log(`
dev: the gateway is up on ${WORKER}, answering from the emulator (Ctrl-C stops both). Try:

  curl ${WORKER}/healthz
  curl ${auth} '${WORKER}/v1/model_apis?limit=3'
  curl ${auth} ${WORKER}/v1/model_apis/deepseek-v4-pro
  curl ${auth} ${WORKER}/v1/models
  curl ${auth} '${WORKER}/api/models/list?query=deepseek'
`);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
