// `./run keys` (scripts/keys.ts), a client of the gateway's admin API: spawned against the real Worker in
// operator mode with its LIMITS Durable Objects, the emulator as Baseten.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type RunningWorker, startWorkerd } from "@baseten-edge/harness/workerd";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../../scripts/keys.ts", import.meta.url));
const ADMIN_TOKEN = "keys-cli-admin-token-not-a-secret";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let worker: RunningWorker;

beforeAll(async () => {
  const emulatorUrl = inject("emulatorUrl");
  worker = await startWorkerd({
    bindings: {
      AUTH_MODE: "operator",
      BASETEN_API_KEY: "emulator-key",
      ADMIN_TOKENS: sha256(ADMIN_TOKEN),
      BASETEN_MANAGEMENT_URL: emulatorUrl,
      BASETEN_INFERENCE_URL: emulatorUrl,
      CACHE_SALT: "keys-cli-cache-salt-not-a-secret",
      CATALOG_FRESH_SECONDS: "600",
      CATALOG_MAX_STALE_SECONDS: "86400",
    },
    kvNamespaces: ["CATALOG_KV"],
    durableObjects: { LIMITS: "LimitAccount" },
  });
});

afterAll(() => worker?.stop());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node scripts/keys.ts …` with only the given secrets in its environment, and `stdin` piped in. */
function keys(args: string[], env: Record<string, string> = {}, stdin = ""): Promise<Run> {
  const { ADMIN_TOKEN: _, GATEWAY_KEY: __, ...inherited } = process.env;
  const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...inherited, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A local port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const printedKey = (stdout: string) => /key \(shown once, store it now\): (bek_\S+)/.exec(stdout)?.[1];

describe("./run keys create", () => {
  it("stores the policy, then prints the key, which the gateway accepts", async () => {
    const run = await keys(["create", "--name", "team-a", "--rpm", "60", "--apply", worker.url], { ADMIN_TOKEN });
    expect(run.code).toBe(0);
    const key = printedKey(run.stdout);
    expect(key).toMatch(/^bek_/);
    expect(run.stdout).toContain(`applied: PUT /v1/admin/keys/${sha256(key ?? "")}`);
    const usage = await fetch(`${worker.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ name: "team-a" });
  });

  it("prints no key when ADMIN_TOKEN is unset, and says what to set", async () => {
    const run = await keys(["create", "--name", "team-a", "--apply", worker.url]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain("bek_");
    expect(run.stderr).toContain("set ADMIN_TOKEN");
  });

  it("prints no key when the gateway refuses the admin token", async () => {
    const run = await keys(["create", "--name", "team-a", "--apply", worker.url], { ADMIN_TOKEN: "not-the-token" });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("bek_");
    expect(run.stderr).toMatch(/answered 401/);
  });

  it("prints no key when the gateway cannot be reached", async () => {
    const run = await keys(["create", "--name", "team-a", "--apply", await closedPort()], { ADMIN_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("bek_");
    expect(run.stderr).toContain("cannot reach");
  });
});

describe("./run keys usage", () => {
  let key: string;
  beforeAll(async () => {
    const run = await keys(["create", "--name", "team-b", "--apply", worker.url], { ADMIN_TOKEN });
    key = printedKey(run.stdout) ?? "";
  });

  it("reads the key from GATEWAY_KEY", async () => {
    const run = await keys(["usage", "--url", worker.url], { GATEWAY_KEY: key });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: "team-b" });
  });

  it("reads the key from stdin", async () => {
    const run = await keys(["usage", "--url", worker.url], {}, `${key}\n`);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: "team-b" });
  });

  it("refuses --key, saying why and what to do instead, and sends nothing", async () => {
    const run = await keys(["usage", "--url", await closedPort(), "--key", key]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--key is not accepted");
    expect(run.stderr).toMatch(/`ps`.*shell history/);
    expect(run.stderr).toContain("GATEWAY_KEY");
    expect(run.stderr).not.toContain("cannot reach");
  });
});
