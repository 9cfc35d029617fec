// `pnpm dev`: the local Baseten emulator and the Worker (wrangler dev) in front of it; no keys, no network.
// Ports: --port / DEV_PORT for the Worker (default 8787), --emulator-port / DEV_EMULATOR_PORT for the
// emulator (default 8790); "auto" (or 0) takes a free one, so two checkouts can share a machine.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { stopChild } from "@baseten-edge/harness";

const HOST = "127.0.0.1";
const USAGE = `usage: ./run dev [--port N|auto] [--emulator-port N|auto]
  --port           the Worker's port (env DEV_PORT, default 8787)
  --emulator-port  the emulator's port (env DEV_EMULATOR_PORT, default 8790)
  "auto" or 0 picks a free port and prints it.`;

function fail(message: string): never {
  console.error(`dev: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** A port from a flag or env value: 1-65535, or 0 for "pick a free one". */
function portOption(name: string, value: string): number {
  if (value === "auto") return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    fail(`${name} must be a port (1-65535) or "auto", not ${JSON.stringify(value)}`);
  return port;
}

/** Binds `port` (0: any free one) on HOST and lets it go: the port a server can take, or null when taken. */
function probe(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(null));
    server.listen(port, HOST, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

async function claim(name: string, flag: string, env: string, port: number): Promise<number> {
  const free = await probe(port);
  if (free !== null) return free;
  fail(
    `the ${name} port ${port} on ${HOST} is in use (another \`./run dev\`?). Stop that process, or choose another port: ` +
      `\`./run dev ${flag} <port>\`, \`${env}=<port> ./run dev\`, or \`${flag} auto\` for a free one.`,
  );
}

let parsed: { port?: string | undefined; "emulator-port"?: string | undefined; help?: boolean | undefined };
try {
  parsed = parseArgs({
    options: { port: { type: "string" }, "emulator-port": { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
const WORKER_PORT = await claim(
  "Worker",
  "--port",
  "DEV_PORT",
  portOption("--port", parsed.port ?? process.env.DEV_PORT ?? "8787"),
);
const EMULATOR_PORT = portOption("--emulator-port", parsed["emulator-port"] ?? process.env.DEV_EMULATOR_PORT ?? "8790");
if (EMULATOR_PORT !== 0) await claim("emulator", "--emulator-port", "DEV_EMULATOR_PORT", EMULATOR_PORT);
const WORKER = `http://${HOST}:${WORKER_PORT}`;

// The emulator is a workspace package served from its build; a bare `pnpm dev` in this folder on
// a fresh clone has no build yet, and that deserves a sentence rather than a stack trace.
let emulatorNode: typeof import("@baseten-edge/emulator/node");
try {
  emulatorNode = await import("@baseten-edge/emulator/node");
} catch {
  console.error(
    "dev: @baseten-edge/emulator is not built. Run `pnpm dev` from the repository root (it builds first), or `pnpm turbo run build --filter=@baseten-edge/worker^...`.",
  );
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
const wranglerBin = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);
// Operator mode (AUTH_MODE=operator in the environment) runs on the emulator's key; the tokens'
// digests (GATEWAY_TOKENS, ADMIN_TOKENS) and the other settings below come from the environment.
const FROM_ENV = ["AUTH_MODE", "PUBLIC_CATALOG", "GATEWAY_TOKENS", "ADMIN_TOKENS", "MODEL_LIMITS"];
const vars = {
  ...Object.fromEntries(FROM_ENV.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : []))),
  ...(process.env.AUTH_MODE === "operator" && { BASETEN_API_KEY: DEFAULT_API_KEY }),
  BASETEN_MANAGEMENT_URL: emulator.url,
  BASETEN_INFERENCE_URL: emulator.url,
};
const wrangler = spawn(
  process.execPath,
  [
    wranglerBin,
    "dev",
    "--ip",
    HOST,
    "--port",
    String(WORKER_PORT),
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ],
  {
    stdio: "inherit",
    // wrangler reads required secrets from its environment (not argv, which `ps` shows). This
    // default only keys this machine's throwaway cache; a CACHE_SALT already exported is kept.
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CACHE_SALT: process.env.CACHE_SALT ?? "local-dev-cache-salt-not-secret",
    },
  },
);

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // wrangler stops workerd on SIGINT; one that hangs is not left running behind us.
  await stopChild(wrangler, { signal: "SIGINT", graceMs: 5_000 });
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
  const ready = await fetch(`${WORKER}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
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
