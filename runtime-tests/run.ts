// The cross-runtime matrix: packed core, gateway and emulator, exercised in Node, Deno, Bun, workerd and Chromium.
//   node runtime-tests/run.ts [--only node,deno,bun,workerd,browser]
// Prints one PASS/FAIL/SKIP line per runtime; exits 1 on any FAIL. Only the browser leg can SKIP (no Chromium),
// and not when CI is set: there it FAILs.
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type * as Core from "@baseten-edge/core";
import { freePort, run, type Started, sleep, start } from "@baseten-edge/harness";
import { type RedisServer, startRedis } from "@baseten-edge/harness/redis";
import { ensureChromium, ensureTools, makeProject, type PackageName, packAll } from "./lib/setup.ts";
import { streamChat } from "./shared/client-checks.ts";

const RUNTIMES = ["node", "deno", "bun", "workerd", "browser"] as const;
type Runtime = (typeof RUNTIMES)[number];
const MODELS = 250;
const CATALOG_SIZE = 10 + MODELS; // the emulator's ten real Model APIs + synthetic ones
const KEY = "emulator-key"; // the emulator's public default key, not a secret
const ADMIN_TOKEN = "runtime-test-admin-token"; // not a secret: the gateways here live for one check
const LISTENING = /istening on (http:\/\/127\.0\.0\.1:\d+)/;
const MATRIX_TIMEOUT_MS = 9 * 60_000;

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const { values } = parseArgs({ options: { only: { type: "string" } } });
const selected = new Set((values.only?.split(",") ?? RUNTIMES) as Runtime[]);
for (const name of selected)
  if (!RUNTIMES.includes(name)) throw new Error(`--only: unknown runtime ${name}; use ${RUNTIMES.join(",")}`);

// Children get a small environment: no secrets of this shell, no telemetry, no update checks; but the
// machine's CA bundles, proxies and npm settings, which the registry can need.
const passThrough = /^(npm_config_\w+|https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR))$/i;
const baseEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => passThrough.test(name))),
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  TMPDIR: process.env.TMPDIR,
  LANG: process.env.LANG,
  NO_COLOR: "1",
  DO_NOT_TRACK: "1",
  WRANGLER_SEND_METRICS: "false",
  DENO_NO_UPDATE_CHECK: "1",
  DENO_NO_PROMPT: "1",
  npm_config_update_notifier: "false",
};

const watchdog = setTimeout(() => {
  console.error(`FAIL matrix: did not finish within ${MATRIX_TIMEOUT_MS / 60_000} minutes`);
  process.exit(1);
}, MATRIX_TIMEOUT_MS);
watchdog.unref();

const work = await mkdtemp(join(tmpdir(), "baseten-edge-runtimes-"));
const results: string[] = [];
let redis: RedisServer | undefined;
try {
  // Node's and Bun's gateways keep their keys in Redis (LIMITS_STORE=redis:<url>): Debian's redis-server.
  if (selected.has("node") || selected.has("bun")) redis = await startRedis();
  const started = Date.now();
  const bin = await ensureTools(join(root, ".tools", "runtimes"), baseEnv);
  const tool = (name: string) => join(bin, name);
  const env = { ...baseEnv, PATH: `${bin}:${baseEnv.PATH}` };
  console.log(
    `deno ${(await run(tool("deno"), ["--version"], { cwd: work, env, timeoutMs: 20_000 })).split("\n")[0]?.split(" ")[1]}, ` +
      `bun ${(await run(tool("bun"), ["--version"], { cwd: work, env, timeoutMs: 20_000 })).trim()}, node ${process.versions.node}`,
  );

  await run(
    "pnpm",
    [
      "-s",
      "turbo",
      "run",
      "build",
      "--filter=@baseten-edge/gateway",
      "--filter=@baseten-edge/emulator",
      "--output-logs=errors-only",
    ],
    {
      cwd: root,
      env: { ...env, TURBO_TELEMETRY_DISABLED: "1" },
      timeoutMs: 180_000,
    },
  );
  await packAll(root, join(work, "tarballs"), env);
  const projects: [string, PackageName[], Record<string, string>][] = [
    ["upstream", ["emulator", "core"], {}],
    ["node", ["core", "gateway"], { "@hono/node-server": "2.1.8", redis: "6.3.1" }],
    ["deno", ["core", "gateway"], {}],
    ["bun", ["core", "gateway"], {}],
    ["workerd", ["core"], {}],
    ["browser", ["core"], {}],
  ];
  const dirs = Object.fromEntries(
    await Promise.all(
      projects
        .filter(([name]) => name === "upstream" || selected.has(name as Runtime))
        .map(
          async ([name, packages, extra]) => [name, await makeProject(here, work, name, packages, extra, env)] as const,
        ),
    ),
  ) as Record<"upstream" | Runtime, string>;
  // The LimitStore contract lives with the gateway's tests; the Node, Deno and Bun checks run it on their stores too.
  await cp(join(root, "packages/gateway/test/limit-store-contract.ts"), join(work, "shared/limit-store-contract.ts"));
  console.log(`built, packed and installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const core = (await import(
    pathToFileURL(join(dirs.upstream, "node_modules/@baseten-edge/core/dist/index.js")).href
  )) as typeof Core;
  const emulatorBin = join(dirs.upstream, "node_modules/@baseten-edge/emulator/dist/bin.js");
  const startEmulator = () =>
    start("node", [emulatorBin, "--port", "0", "--models", String(MODELS)], {
      cwd: work,
      env,
      timeoutMs: 15_000,
      ready: LISTENING,
    });

  /** Runs one runtime's checks with a fresh emulator, and records PASS or FAIL. */
  const runtime = async (name: Runtime, label: string, body: (upstream: string) => Promise<string[]>) => {
    if (!selected.has(name)) return;
    const t0 = Date.now();
    const emulator = await startEmulator();
    try {
      const lines = await body(emulator.match[1]!);
      for (const line of lines) console.log(`  ${name}: ${line.replace(/^ok - /, "")}`);
      results.push(`PASS ${name} (${label}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (error) {
      results.push(`FAIL ${name} (${label}): ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await emulator.stop();
    }
    console.log(results.at(-1));
  };
  const checkEnv = (upstream: string) => ({ ...env, EMULATOR_URL: upstream, CATALOG_SIZE: String(CATALOG_SIZE) });
  const exampleEnv = (upstream: string) => ({
    ...env,
    BASETEN_API_KEY: KEY,
    BASETEN_MANAGEMENT_URL: upstream,
    BASETEN_INFERENCE_URL: `${upstream}/v1`,
  });
  const expectExample = (output: string) => {
    if (!output.includes(`${CATALOG_SIZE} Model APIs`))
      throw new Error(`example.ts did not print "${CATALOG_SIZE} Model APIs":\n${output}`);
    return "example.ts counts the catalog and streams a reply";
  };
  const lines = (output: string) => output.split("\n").filter((line) => line.startsWith("ok - "));

  const deno = tool("deno");
  const denoRun = ["run", "--unstable-kv", "--allow-env", "--allow-net=127.0.0.1"];
  const gatewayCommands: Record<"node" | "deno" | "bun", (dir: string) => [string, string[], Record<string, string>]> =
    {
      node: (dir) => [
        "node",
        ["gateway.ts"],
        {
          CATALOG_STORE: "sqlite",
          SQLITE_PATH: join(dir, "catalog-cache.sqlite"),
          LIMITS_STORE: `redis:${redis?.url}`,
        },
      ],
      bun: (dir) => [
        tool("bun"),
        ["gateway.ts"],
        {
          CATALOG_STORE: "sqlite",
          SQLITE_PATH: join(dir, "catalog-cache.sqlite"),
          LIMITS_STORE: `redis:${redis?.url}`,
        },
      ],
      deno: (dir) => [
        deno,
        [
          "serve",
          "--unstable-kv",
          "--allow-env",
          "--allow-net=127.0.0.1",
          `--allow-read=${dir}`,
          `--allow-write=${dir}`,
          "--host",
          "127.0.0.1",
          "--port",
          "0",
          "gateway.ts",
        ],
        { CATALOG_STORE: "deno-kv", DENO_KV_PATH: join(dir, "catalog-cache.kv"), LIMITS_STORE: "deno-kv" },
      ],
    };

  /** GET / with a key: the catalog page, every row, under a hash-only Content-Security-Policy. */
  const catalogPage = async (base: string) => {
    const response = await fetch(`${base}/`, {
      headers: { authorization: `Bearer ${KEY}` },
      signal: AbortSignal.timeout(15_000),
    });
    const page = await response.text();
    const csp = response.headers.get("content-security-policy") ?? "";
    const rows = page.match(/<tr data-row=/g)?.length ?? 0;
    if (response.status !== 200 || !response.headers.get("content-type")?.startsWith("text/html"))
      throw new Error(`GET /: ${response.status} ${response.headers.get("content-type")}, expected 200 HTML`);
    if (!/script-src 'sha256-[^']+'(;|$)/.test(csp)) throw new Error(`GET /: CSP ${JSON.stringify(csp)}`);
    if (rows !== CATALOG_SIZE) throw new Error(`GET /: the page has ${rows} rows, expected ${CATALOG_SIZE}`);
    return `serves the catalog page (${rows} rows, hash-only CSP)`;
  };

  /**
   * A declared 20 MB body is refused before it arrives: the status line comes back while only 12
   * bytes of it were sent (the 15 s bound only turns a hang into a clear failure).
   */
  const earlyRefusal = (base: string) =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(base);
      const socket = connect(Number(port), hostname, () =>
        socket.write(
          "POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\nauthorization: Bearer k\r\n" +
            'content-type: application/json\r\ncontent-length: 20000000\r\n\r\n{"model":"x"',
        ),
      );
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error("no answer to a declared 20 MB body within 15 s: it waits for the body"));
      }, 15_000);
      socket.once("data", (data) => {
        clearTimeout(timer);
        socket.destroy();
        const status = data.toString().split("\r\n")[0] ?? "";
        if (!status.includes(" 413")) reject(new Error(`a declared 20 MB body got ${status}, expected 413`));
        else resolve("answers 413 to a declared 20 MB body before it arrives");
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });

  /**
   * Operator mode with a gateway key in LIMITS_STORE: its policy (2 requests a minute) is put through the admin
   * API, two requests pass, the third is refused; after a restart the key, its policy and its count are still there.
   */
  const limitsChecks = async (name: "node" | "deno" | "bun", upstream: Started): Promise<string[]> => {
    const dir = dirs[name];
    const [command, args, storeEnv] = gatewayCommands[name](dir);
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    const gatewayKey = `bek_${randomBytes(16).toString("hex")}`;
    const gatewayEnv = {
      ...env,
      ...storeEnv,
      AUTH_MODE: "operator",
      BASETEN_API_KEY: KEY,
      GATEWAY_TOKENS: sha256("runtime-test-static-token"),
      ADMIN_TOKENS: sha256(ADMIN_TOKEN),
      CACHE_SALT: randomBytes(24).toString("hex"),
      BASETEN_MANAGEMENT_URL: upstream.match[1],
      BASETEN_INFERENCE_URL: upstream.match[1],
      PORT: "0",
      HOST: "127.0.0.1",
    };
    const startGateway = () => start(command, args, { cwd: dir, env: gatewayEnv, timeoutMs: 20_000, ready: LISTENING });
    const call = async (base: string, path: string, token: string, init: RequestInit = {}) => {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        signal: AbortSignal.timeout(15_000),
      });
      return { status: response.status, body: await response.text() };
    };
    const chat = (base: string) =>
      call(base, "/v1/chat/completions", gatewayKey, {
        method: "POST",
        body: JSON.stringify({
          model: "openai/gpt-oss-120b",
          messages: [{ role: "user", content: "hi" }],
          max_tokens: 8,
        }),
      });
    const kind = storeEnv.LIMITS_STORE?.split(":")[0];
    let gateway = await startGateway();
    try {
      const policy = JSON.stringify({ name: "runtime-test", rpm: 2 });
      const put = await call(gateway.match[1]!, `/v1/admin/keys/${sha256(gatewayKey)}`, ADMIN_TOKEN, {
        method: "PUT",
        body: policy,
      });
      if (put.status !== 200) throw new Error(`PUT of a key policy: ${put.status} ${put.body.slice(0, 300)}`);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await chat(gateway.match[1]!)).status);
      if (statuses.join() !== "200,200,429") throw new Error(`a key at 2 a minute got ${statuses.join()}`);
      await gateway.stop();
      gateway = await startGateway();
      const again = await chat(gateway.match[1]!);
      const usage = await call(gateway.match[1]!, "/v1/usage", gatewayKey);
      if (again.status !== 429 || !usage.body.includes('"requests":2'))
        throw new Error(`after a restart: ${again.status}, usage ${usage.body.slice(0, 300)}`);
      return [
        `${name} gateway: a key's policy put in LIMITS_STORE=${kind} admits 2 requests a minute, then 429`,
        `${name} gateway: after a restart, the key, its policy and its count are still in ${kind}`,
      ];
    } finally {
      await gateway.stop();
      await upstream.stop();
    }
  };

  /** The gateway from its entry point, as a child process: MISS, HIT, relay, STALE while the upstream is down, STALE from the durable store after a restart. */
  const gatewayChecks = async (name: "node" | "deno" | "bun", upstream: Started): Promise<string[]> => {
    const dir = dirs[name];
    const [command, args, storeEnv] = gatewayCommands[name](dir);
    const gatewayEnv = {
      ...env,
      ...storeEnv,
      CACHE_SALT: randomBytes(24).toString("hex"),
      BASETEN_MANAGEMENT_URL: upstream.match[1],
      BASETEN_INFERENCE_URL: upstream.match[1],
      CATALOG_FRESH_SECONDS: "1",
      PORT: "0",
      HOST: "127.0.0.1",
    };
    const startGateway = () => start(command, args, { cwd: dir, env: gatewayEnv, timeoutMs: 20_000, ready: LISTENING });
    let gateway = await startGateway();
    const done: string[] = [];
    try {
      const url = () => gateway.match[1]!;
      const get = async (path: string, expected: string) => {
        const response = await fetch(`${url()}${path}`, {
          headers: { authorization: `Bearer ${KEY}` },
          signal: AbortSignal.timeout(15_000),
        });
        const body = await response.text();
        const cache = response.headers.get("x-cache");
        if (response.status !== 200 || cache !== expected) {
          throw new Error(
            `GET ${path}: ${response.status} x-cache ${cache}, expected 200 ${expected}: ${body.slice(0, 200)}\n${gateway.output().slice(-2000)}`,
          );
        }
        return JSON.parse(body) as { items: unknown[] };
      };
      const first = await get("/v1/model_apis?limit=100", "MISS");
      if (first.items.length !== 100) throw new Error(`the first page had ${first.items.length} rows, expected 100`);
      await get("/v1/model_apis?limit=100", "HIT");
      done.push(`${name} gateway: answers a catalog MISS, then a HIT`);

      let rows = 0;
      const viaGateway = core.createBasetenClient({ apiKey: KEY, baseUrl: url(), maxRetries: 0 });
      for await (const _row of viaGateway.modelApis.list({ limit: 100 })) rows++;
      if (rows !== CATALOG_SIZE)
        throw new Error(`the core client listed ${rows} rows through the gateway, expected ${CATALOG_SIZE}`);
      done.push(`${name} gateway: the core client pages through all ${rows} rows`);
      done.push(`${name} gateway: ${await catalogPage(url())}`);

      done.push(`${name} gateway relay: ${await streamChat(core, `${url()}/v1`, KEY)}`);
      done.push(`${name} gateway: ${await earlyRefusal(url())}`);

      await upstream.stop();
      await sleep(1200); // past CATALOG_FRESH_SECONDS=1
      await get("/v1/model_apis?limit=100", "STALE");
      done.push(`${name} gateway: serves the stale catalog while the upstream is down`);

      await gateway.stop();
      gateway = await startGateway();
      await get("/v1/model_apis?limit=100", "STALE");
      done.push(
        `${name} gateway: after a restart, serves it from ${storeEnv.CATALOG_STORE} while the upstream is down`,
      );

      return done;
    } finally {
      await gateway.stop();
    }
  };

  await runtime("node", `Node ${process.versions.node}`, async (upstream) => [
    ...lines(await run("node", ["test.ts"], { cwd: dirs.node, env: checkEnv(upstream), timeoutMs: 60_000 })),
    expectExample(await run("node", ["example.ts"], { cwd: dirs.node, env: exampleEnv(upstream), timeoutMs: 30_000 })),
    ...(await gatewayChecks("node", await startEmulator())),
    ...(await limitsChecks("node", await startEmulator())),
  ]);

  await runtime(
    "deno",
    `Deno ${(await run(deno, ["--version"], { cwd: work, env, timeoutMs: 20_000 })).split(" ")[1]}`,
    async (upstream) => [
      ...lines(
        await run(deno, [...denoRun, "test.ts"], { cwd: dirs.deno, env: checkEnv(upstream), timeoutMs: 60_000 }),
      ),
      expectExample(
        await run(deno, [...denoRun, "example.ts"], { cwd: dirs.deno, env: exampleEnv(upstream), timeoutMs: 30_000 }),
      ),
      ...(await gatewayChecks("deno", await startEmulator())),
      ...(await limitsChecks("deno", await startEmulator())),
    ],
  );

  await runtime(
    "bun",
    `Bun ${(await run(tool("bun"), ["--version"], { cwd: work, env, timeoutMs: 20_000 })).trim()}`,
    async (upstream) => [
      ...lines(await run(tool("bun"), ["test.ts"], { cwd: dirs.bun, env: checkEnv(upstream), timeoutMs: 60_000 })),
      expectExample(
        await run(tool("bun"), ["example.ts"], { cwd: dirs.bun, env: exampleEnv(upstream), timeoutMs: 30_000 }),
      ),
      ...(await gatewayChecks("bun", await startEmulator())),
      ...(await limitsChecks("bun", await startEmulator())),
    ],
  );

  await runtime("workerd", "wrangler dev, local workerd", async (upstream) =>
    workerdChecks(dirs.workerd, upstream, tool("wrangler"), env),
  );

  if (selected.has("browser")) {
    const chromium = await ensureChromium(env).catch((error: Error) => {
      console.error(error.message);
      return null;
    });
    if (chromium) {
      await runtime("browser", "headless Chromium", async (upstream) =>
        browserChecks(dirs.browser, upstream, chromium, tool("esbuild"), env),
      );
    } else {
      results.push(noChromium());
      console.log(`!!!!! ${results.at(-1)}`);
    }
  }
} catch (error) {
  results.push(`FAIL matrix setup: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await redis?.stop();
  if (!process.env.KEEP_RUNTIME_TESTS) await rm(work, { recursive: true, force: true });
}

console.log(`\n${results.join("\n")}`);
process.exit(results.some((line) => line.startsWith("FAIL")) ? 1 : 0);

/**
 * The browser leg's line when there is no Chromium: a SKIP on a developer's machine, a FAIL in CI (`CI` set), where
 * a skipped leg would let the suite pass without the browser ever running.
 */
function noChromium(): string {
  const why = process.getuid?.() === 0 ? "apt-get did not install it" : "this is not root: apt-get install -y chromium";
  const line = `browser: /usr/bin/chromium is missing and ${why}`;
  const ci = process.env.CI !== undefined && !/^(|0|false)$/i.test(process.env.CI);
  return ci ? `FAIL ${line} (CI is set: there the browser leg must run, not skip)` : `SKIP ${line}`;
}

/** workerd via `wrangler dev` (local mode): the quick example at `/`, the client checks at `/__checks`. */
async function workerdChecks(
  dir: string,
  upstream: string,
  wrangler: string,
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const config = {
    name: "runtime-test-workerd",
    main: "test-worker.ts",
    compatibility_date: "2025-09-01",
    vars: {
      BASETEN_API_KEY: KEY,
      BASETEN_MANAGEMENT_URL: upstream,
      EMULATOR_URL: upstream,
      CATALOG_SIZE: String(CATALOG_SIZE),
    },
  };
  await writeFile(join(dir, "wrangler.json"), JSON.stringify(config, null, 2));
  const [port, inspector] = [await freePort(), await freePort()];
  const server = await start(
    wrangler,
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: dir,
      env: { ...env, CI: "1" },
      timeoutMs: 60_000,
      ready: /Ready on (http:\/\/127\.0\.0\.1:\d+)/,
    },
  );
  try {
    const checks = await fetch(`${server.match[1]}/__checks`, { signal: AbortSignal.timeout(60_000) });
    const outcome = (await checks.json()) as { ok: boolean; checks?: string[]; error?: string };
    if (!outcome.ok || !outcome.checks) throw new Error(`${outcome.error}\n${server.output().slice(-2000)}`);
    const example = (await (await fetch(server.match[1]!, { signal: AbortSignal.timeout(30_000) })).json()) as {
      count: number;
    };
    if (example.count !== CATALOG_SIZE)
      throw new Error(`example.ts counted ${example.count} Model APIs, expected ${CATALOG_SIZE}`);
    const version = server.output().match(/wrangler (\d+\.\d+\.\d+)/)?.[1];
    return [...outcome.checks, `example.ts lists the catalog (wrangler ${version ?? "?"})`];
  } finally {
    await server.stop();
  }
}

/** Chromium through Playwright: a page served from a local origin that also proxies to the emulator (it sends no CORS headers). */
async function browserChecks(
  dir: string,
  upstream: string,
  chromium: string,
  esbuild: string,
  env: Record<string, string | undefined>,
): Promise<string[]> {
  await run(esbuild, ["main.ts", "--bundle", "--format=esm", "--target=es2022", "--outfile=main.js"], {
    cwd: dir,
    env,
    timeoutMs: 30_000,
  });
  const files: Record<string, [string, string]> = {
    "/": [await readFile(join(dir, "index.html"), "utf8"), "text/html; charset=utf-8"],
    "/main.js": [await readFile(join(dir, "main.js"), "utf8"), "text/javascript; charset=utf-8"],
  };
  const server = createServer((req, res) => void serve(req, res).catch(() => res.destroy()));
  async function serve(req: IncomingMessage, res: ServerResponse) {
    const file = req.method === "GET" ? files[req.url ?? ""] : undefined;
    if (file) return void res.writeHead(200, { "content-type": file[1] }).end(file[0]);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const name of ["authorization", "content-type", "accept"])
      if (req.headers[name]) headers.set(name, String(req.headers[name]));
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method ?? "GET",
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!["content-encoding", "content-length", "transfer-encoding", "connection"].includes(name)) out[name] = value;
    });
    res.writeHead(answer.status, out);
    if (answer.body) Readable.fromWeb(answer.body as import("node:stream/web").ReadableStream).pipe(res);
    else res.end();
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { chromium: playwright } = (await import(
    pathToFileURL(join(root, ".tools/runtimes/node_modules/playwright-core/index.mjs")).href
  )) as typeof import("playwright-core");
  const browser = await playwright.launch({
    executablePath: chromium,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(origin, { timeout: 30_000 });
    await page.waitForFunction(() => "runChecks" in globalThis, undefined, { timeout: 15_000 });
    const checks = await Promise.race([
      page.evaluate(
        (size) => (globalThis as unknown as { runChecks(n: number): Promise<string[]> }).runChecks(size),
        CATALOG_SIZE,
      ),
      sleep(60_000).then(() => Promise.reject(new Error("the page's checks took over 60 s"))),
    ]);
    if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    return [...checks, `Chromium ${browser.version()}`];
  } finally {
    await browser.close();
    server.close();
    server.closeAllConnections();
  }
}
