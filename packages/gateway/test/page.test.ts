// GET /: the catalog page, rendered from the cached catalog, escaped, and locked down by its headers.
import { createHash } from "node:crypto";
import { type ModelApi, pricesOf } from "@baseten-edge/core";
import { createEmulator } from "@baseten-edge/emulator";
import { describe, expect, it } from "vitest";
import { atomicStore, createGateway, type LimitStore, memoryCells } from "../src/index.ts";
import { harness, SALT, spyStore } from "./helpers.ts";

const TOKEN = "gw-token-for-the-page";
const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)">`;
const operatorAuth = (publicCatalog: boolean) =>
  ({
    mode: "operator",
    apiKey: "emulator-key",
    tokenHashes: [createHash("sha256").update(TOKEN).digest("hex")],
    publicCatalog,
  }) as const;

/** The emulator's catalog, with the first row's description and display name made hostile. */
function hostileUpstream() {
  const emulator = createEmulator();
  const fetch = async (request: Request) => {
    const response = await emulator.fetch(request);
    if (!new URL(request.url).pathname.startsWith("/v1/model_apis")) return response;
    const body = (await response.json()) as { items: { description: string; display_name: string }[] };
    const first = body.items[0];
    if (first) Object.assign(first, { description: HOSTILE, display_name: `Evil "quote' ${HOSTILE}` });
    return Response.json(body, { status: response.status });
  };
  return { emulator, fetch };
}

const rowsOf = (page: string) => [...page.matchAll(/<tr data-row="([^"]+)"/g)].map((m) => m[1]);

describe("the catalog page", () => {
  it("renders every row of a public catalog on the server, without workspace details", async () => {
    const h = harness({ auth: operatorAuth(true) }, {});
    const response = await h.get("/", null);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const page = await response.text();
    expect(rowsOf(page)).toHaveLength(h.emulator.catalogSize);
    expect(page).toContain("gpt-oss-120b");
    // No "Added" column values for anonymous callers: "–", never "yes".
    expect(page).not.toMatch(/<td data-v="yes">/);
    // One chart point per row with an output price and a context length, from Baseten's catalog itself.
    const points = [...page.matchAll(/<g class="point" data-row="([^"]+)"/g)].map((m) => m[1]);
    const catalog = await h.emulator.fetch(
      new Request("http://baseten.test/v1/model_apis?limit=1000", {
        headers: { authorization: "Api-Key emulator-key" },
      }),
    );
    const { items } = (await catalog.json()) as { items: ModelApi[] };
    const priced = items.filter((row) => pricesOf(row).outputPerMillion !== null && row.context_length > 0);
    expect(priced.length).toBeGreaterThan(0);
    expect(points.sort()).toEqual(priced.map((row) => row.name).sort());
  });

  it("shows a token holder whether the workspace has added each model", async () => {
    const h = harness({ auth: operatorAuth(true) }, {});
    const page = await (await h.get("/", TOKEN)).text();
    expect(page).toMatch(/<td data-v="yes">yes<\/td>/);
    expect(page).toMatch(/<td data-v="no">no<\/td>/);
  });

  it("renders a hostile description and name as text", async () => {
    const { fetch } = hostileUpstream();
    const gateway = createGateway({
      auth: operatorAuth(true),
      cacheSalt: SALT,
      managementUrl: "http://baseten.test",
      inferenceUrl: "http://baseten.test",
      fetch,
    });
    const page = await (await gateway.fetch(new Request("http://gateway.test/"))).text();
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    expect(page).toContain("Evil &quot;quote&#39;");
    // Exactly our own script element, and it is the one whose hash the CSP names.
    expect(page.match(/<script/g)).toHaveLength(1);
  });

  it("allows only its own inline script and style by hash, and cannot be framed or sniffed", async () => {
    const h = harness({ auth: operatorAuth(true) }, {});
    const response = await h.get("/", null);
    const page = await response.text();
    const csp = response.headers.get("content-security-policy") ?? "";
    const inline = (tag: string) => page.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`))?.[1] ?? "";
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(csp).toContain(`script-src ${hash(inline("script"))}`);
    expect(csp).toContain(`style-src ${hash(inline("style"))}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("asks a pass-through visitor for a key, calling nobody upstream", async () => {
    const h = harness();
    const response = await h.get("/", null);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('id="key-form"');
    expect(page).toContain("Baseten API key");
    expect(rowsOf(page)).toHaveLength(0);
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("renders the caller's catalog when the key comes in the Authorization header", async () => {
    const h = harness();
    const page = await (await h.get("/", "caller-key")).text();
    expect(rowsOf(page)).toHaveLength(h.emulator.catalogSize);
  });

  it("keeps the caller's key out of logs, store keys and stored values", async () => {
    const key = "sk-page-secret-0123456789";
    const store = spyStore();
    const h = harness({ stores: [store] });
    expect((await h.get("/", key)).status).toBe(200);
    h.upstream.down = true;
    await h.get("/", "sk-another-secret-987654");
    await h.settle();
    expect(store.entries.size).toBeGreaterThan(0);
    for (const [storeKey, entry] of store.entries) {
      expect(storeKey).not.toContain(key);
      expect(JSON.stringify(entry)).not.toContain(key);
    }
    expect(JSON.stringify(h.events)).not.toMatch(/sk-(page|another)-secret/);
    expect(h.events.some((e) => e.event === "upstream_error")).toBe(true);
  });

  it("never serves a remembered page once its catalog is too old to serve", async () => {
    const h = harness({ freshSeconds: 1, maxStaleSeconds: 1 });
    const first = await (await h.get("/", "caller-key")).text();
    expect(await (await h.get("/", "caller-key")).text()).toBe(first);
    h.clock.advance(5);
    h.upstream.down = true;
    // Past the stale limit with Baseten down: the remembered page must not outlive its catalog.
    expect((await h.get("/", "caller-key")).status).toBe(503);
  });

  it("says on the page, with 401, that a gateway token is wrong", async () => {
    const h = harness({ auth: operatorAuth(false) }, {});
    const response = await h.get("/", "not-the-token");
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("Invalid gateway token.");
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("answers 429 with Retry-After when a client tries too many new keys, on the page", async () => {
    const h = harness({ newKeysPerClientPerMinute: 1 }, {});
    const from = { waitUntil: () => {}, clientAddress: "203.0.113.9" };
    const get = (key: string) =>
      h.gateway.fetch(new Request("http://gateway.test/", { headers: { authorization: `Bearer ${key}` } }), from);
    expect((await get("emulator-key")).status).toBe(200);
    const limited = await get("a-never-seen-key");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited.text()).toContain("Too many new API keys from this client");
  });

  it("passes on Retry-After when the gateway token cannot be checked now (429, 503)", async () => {
    const failing: LimitStore = {
      apply: () => Promise.reject(new Error("store down")),
      list: () => Promise.reject(new Error("store down")),
    };
    const limits = { auth: operatorAuth(false), newKeysPerMinute: 1 };
    const limited = harness({ ...limits, limits: { store: atomicStore(memoryCells()) } }, {});
    expect((await limited.get("/", "an-unknown-token")).status).toBe(401);
    const tooMany = await limited.get("/", "another-unknown-token");
    expect(tooMany.status).toBe(429);
    expect(Number(tooMany.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await tooMany.text()).toContain("Too many unknown gateway keys");
    const unavailable = await harness({ ...limits, limits: { store: failing } }, {}).get("/", "a-token");
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("1");
  });

  it("answers 503 with an explanation when Baseten is down and nothing is cached", async () => {
    const h = harness();
    h.upstream.down = true;
    const response = await h.get("/", "caller-key");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("The catalog is unavailable");
  });

  it("marks unknown prices as unknown and leaves those models out of the chart", async () => {
    const h = harness();
    const page = await (await h.get("/", "caller-key")).text();
    const unknown = [...page.matchAll(/<tr data-row="([^"]+)"[\s\S]*?<\/tr>/g)].filter((m) =>
      m[0].includes(">unknown<"),
    );
    expect(unknown.length).toBeGreaterThan(0);
    for (const [, name] of unknown) expect(page).not.toContain(`<g class="point" data-row="${name}"`);
  });

  it("answers HEAD, and 405 to other methods", async () => {
    const h = harness();
    const head = await h.gateway.fetch(new Request("http://gateway.test/", { method: "HEAD" }));
    expect(head.status).toBe(200);
    const post = await h.gateway.fetch(new Request("http://gateway.test/", { method: "POST" }));
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});
