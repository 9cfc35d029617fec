// Amplification in pass-through mode: never-seen keys cost upstream look-ups only within a budget
// per client address and per isolate; known keys are never charged; a refused key stays cheap.
import { describe, expect, it } from "vitest";
import { harness } from "./helpers.ts";

/** A harness whose emulator knows only `emulator-key`: every random key is refused upstream. */
function strict(options: Parameters<typeof harness>[0] = {}) {
  return withClients(harness(options, {}));
}

/** `get` and `post` on behalf of a client address; `settleAll` runs what they left to waitUntil. */
function withClients(h: ReturnType<typeof harness>) {
  const tasks: Promise<unknown>[] = [];
  const from = (clientAddress: string | undefined) => ({
    waitUntil: (promise: Promise<unknown>) => void tasks.push(promise.catch(() => {})),
    clientAddress,
  });
  const get = (path: string, key: string, client: string | undefined) =>
    h.gateway.fetch(
      new Request(`http://gateway.test${path}`, { headers: { authorization: `Bearer ${key}` } }),
      from(client),
    );
  const post = (key: string, client: string | undefined) =>
    h.gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-oss-120b", messages: [] }),
      }),
      from(client),
    );
  return { ...h, get, post, settleAll: () => Promise.all(tasks) };
}

const randomKey = (i: number) => `random-${i}-${crypto.randomUUID()}`;

describe("the budget of never-seen keys", () => {
  it("lets one client cause at most 30 upstream look-ups a minute; beyond, 429 with Retry-After", async () => {
    const h = strict();
    const answers = [];
    for (let i = 0; i < 100; i++) answers.push(await h.get("/v1/model_apis", randomKey(i), "203.0.113.7"));
    expect(h.upstreamCalls("/v1/model_apis")).toBe(30);
    expect(answers.filter((r) => r.status === 401)).toHaveLength(30);
    const limited = answers.filter((r) => r.status === 429);
    expect(limited).toHaveLength(70);
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited[0]?.json()).toEqual({ error: "Too many new API keys from this client; try again later." });
    // Another client is not held back by the first…
    expect((await h.get("/v1/model_apis", randomKey(1000), "198.51.100.1")).status).toBe(401);
    // …and the first gets a new budget a minute later.
    h.clock.advance(60);
    expect((await h.get("/v1/model_apis", randomKey(1001), "203.0.113.7")).status).toBe(401);
  });

  it("bounds the whole isolate too, whatever the addresses (and without any address)", async () => {
    const h = strict({ newKeysPerMinute: 10 });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await h.get("/v1/models", randomKey(i), `10.0.0.${i}`)).status);
    for (let i = 0; i < 5; i++) statuses.push((await h.get("/v1/models", randomKey(100 + i), undefined)).status);
    // Baseten's inference API refuses an unknown key with 403.
    expect(statuses.filter((s) => s === 403)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(h.upstreamCalls("/v1/models")).toBe(10);
  });

  it("never charges a key the gateway already knows, even once the budget is spent", async () => {
    const h = strict({ newKeysPerClientPerMinute: 3, freshSeconds: 1, maxStaleSeconds: 5 });
    expect((await h.get("/v1/model_apis", "emulator-key", "203.0.113.7")).status).toBe(200);
    for (let i = 0; i < 10; i++) await h.get("/v1/model_apis", randomKey(i), "203.0.113.7");
    expect((await h.get("/v1/model_apis", randomKey(10), "203.0.113.7")).status).toBe(429); // spent
    const calls = () => h.upstreamCalls("/v1/model_apis");
    const before = calls();
    // Within the same minute: stale, so refreshed in the background…
    h.clock.advance(2);
    expect((await h.get("/v1/model_apis", "emulator-key", "203.0.113.7")).headers.get("x-cache")).toBe("STALE");
    await h.settleAll();
    expect(calls()).toBe(before + 1);
    expect((await h.get("/v1/model_apis", "emulator-key", "203.0.113.7")).headers.get("x-cache")).toBe("HIT");
    // …then expired, so reloaded before answering: each reload reaches the upstream, uncharged.
    h.clock.advance(10);
    const reloaded = await h.get("/v1/model_apis", "emulator-key", "203.0.113.7");
    expect(reloaded.status).toBe(200);
    expect(reloaded.headers.get("x-cache")).toBe("REVALIDATED");
    expect(calls()).toBe(before + 2);
  });

  it("lets a key refused for the budget through once the window has passed", async () => {
    const h = withClients(harness({ newKeysPerClientPerMinute: 1 }));
    expect((await h.get("/v1/model_apis", "alice", "203.0.113.7")).status).toBe(200);
    const refused = await h.get("/v1/model_apis", "bob", "203.0.113.7");
    expect(refused.status).toBe(429);
    h.clock.advance(Number(refused.headers.get("retry-after")));
    expect((await h.get("/v1/model_apis", "bob", "203.0.113.7")).status).toBe(200);
    h.clock.advance(3600);
    expect((await h.get("/v1/models", "carol", "203.0.113.7")).status).toBe(200);
  });

  it("lets every key through again once the isolate's budget is back, not only new ones", async () => {
    const h = withClients(harness({ newKeysPerMinute: 2 }));
    for (const key of ["attacker-1", "attacker-2"])
      expect((await h.get("/v1/models", key, undefined)).status).toBe(200);
    expect((await h.get("/v1/models", "real-user", undefined)).status).toBe(429);
    h.clock.advance(60);
    expect((await h.get("/v1/models", "real-user", undefined)).status).toBe(200);
  });

  it("keeps a refused key cheap: repeated, it reaches the upstream once", async () => {
    const h = strict();
    for (let i = 0; i < 20; i++) expect((await h.get("/v1/model_apis", "revoked-key", "203.0.113.7")).status).toBe(401);
    expect(h.upstreamCalls("/v1/model_apis")).toBe(1);
  });

  it("bounds the model-list look-ups relayed requests start for never-seen keys", async () => {
    const h = strict({ newKeysPerClientPerMinute: 5 });
    for (let i = 0; i < 40; i++) await h.post(randomKey(i), "203.0.113.7");
    await h.settleAll();
    expect(h.upstreamCalls("/v1/models")).toBe(5);
  });

  it("does not apply in operator mode", async () => {
    const h = harness({
      auth: { mode: "operator", apiKey: "emulator-key", tokenHashes: [], publicCatalog: true },
      newKeysPerMinute: 0,
      newKeysPerClientPerMinute: 0,
    });
    expect((await h.get("/v1/model_apis", null)).status).toBe(200);
  });
});
