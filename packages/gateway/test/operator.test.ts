import { sha256Hex } from "@baseten-edge/core/internal";
import { describe, expect, it } from "vitest";
import { ConfigurationError, createGateway, gatewayOptionsFromEnv } from "../src/index.ts";
import { harness, SALT, spyStore } from "./helpers.ts";

const TOKEN = "gw-token-for-the-frontend";

async function operator(publicCatalog = false) {
  return harness(
    { auth: { mode: "operator", apiKey: "emulator-key", tokenHashes: [await sha256Hex(TOKEN)], publicCatalog } },
    {},
  );
}

describe("operator mode", () => {
  it("serves callers with a valid gateway token, using the operator's key upstream", async () => {
    const h = await operator();
    const response = await h.get("/v1/model_apis/gpt-oss-120b", TOKEN);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { org_details: unknown }).org_details).not.toBeNull();
    expect(h.emulator.requests.list()[0]?.workspace).toBe("default");
  });

  it.each([
    ["no credentials", null],
    ["a wrong token", "gw-token-for-the-frontenD"],
    ["the Baseten key itself", "emulator-key"],
  ])("refuses %s with 401 and no upstream request", async (_, key) => {
    const h = await operator();
    const response = await h.get("/v1/model_apis", key);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.any(String) });
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("serves a public catalog to anonymous callers without org_details", async () => {
    const h = await operator(true);
    const anonymous = await h.get("/v1/model_apis?limit=1000", null);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("cache-control")).toMatch(/^public/);
    const page = (await anonymous.json()) as { items: Record<string, unknown>[] };
    expect(page.items.length).toBe(10);
    expect(page.items.every((row) => !("org_details" in row))).toBe(true);
    const added = (await (await h.get("/v1/model_apis?added_only=true", null)).json()) as { items: unknown[] };
    expect(added.items).toEqual([]);
    // Token holders still see the workspace view, from the same single upstream load.
    const full = (await (await h.get("/v1/model_apis?added_only=true", TOKEN)).json()) as { items: unknown[] };
    expect(full.items.length).toBe(2);
    expect(h.upstreamCalls("/v1/model_apis")).toBe(1);
  });

  it("keeps /v1/models for token holders even when the catalog is public", async () => {
    const h = await operator(true);
    expect((await h.get("/v1/models", null)).status).toBe(401);
    expect((await h.get("/v1/models", TOKEN)).status).toBe(200);
  });

  it("refreshes the operator's catalog and model list into every store on demand (cron)", async () => {
    const store = spyStore();
    const h = harness(
      { stores: [store], auth: { mode: "operator", apiKey: "emulator-key", tokenHashes: [await sha256Hex(TOKEN)] } },
      {},
    );
    await h.gateway.refresh();
    expect(store.entries.size).toBe(2);
    expect(h.upstreamCalls("/v1/model_apis")).toBe(1);
    expect(h.upstreamCalls("/v1/models")).toBe(1);
    expect((await h.get("/v1/model_apis", TOKEN)).headers.get("x-cache")).toBe("HIT");
    expect(h.events.some((e) => e.event === "refresh")).toBe(true);
  });

  it("logs a cron refresh that fails as refresh_failed, and rejects", async () => {
    const h = harness(
      { auth: { mode: "operator", apiKey: "emulator-key", tokenHashes: [await sha256Hex(TOKEN)] } },
      {},
    );
    h.upstream.down = true;
    await expect(h.gateway.refresh()).rejects.toThrow();
    expect(h.events).toContainEqual({ event: "refresh_failed", error: expect.any(String) });
    expect(h.events.some((e) => e.event === "refresh")).toBe(false);
  });

  it("skips cron refreshes in pass-through mode, saying why", async () => {
    const h = harness();
    await h.gateway.refresh();
    expect(h.emulator.requests.list()).toHaveLength(0);
    expect(h.events).toContainEqual({ event: "refresh_skipped", reason: expect.any(String) });
  });
});

describe("configuration", () => {
  it("reads numbers and booleans given as JSON values (wrangler.jsonc vars) as their text", () => {
    const options = gatewayOptionsFromEnv({
      AUTH_MODE: "operator",
      BASETEN_API_KEY: "k",
      GATEWAY_TOKENS: "a".repeat(64),
      PUBLIC_CATALOG: true,
      CACHE_SALT: SALT,
      RELAY_MAX_BODY_BYTES: 1000,
      RELAY_FIRST_BYTE_TIMEOUT_SECONDS: 30,
    });
    expect(options).toMatchObject({ auth: { publicCatalog: true }, maxBodyBytes: 1000, firstByteTimeoutSeconds: 30 });
    expect(() => gatewayOptionsFromEnv({ AUTH_MODE: { mode: "operator" } })).toThrow(
      "AUTH_MODE must be a string, a number or true/false.",
    );
  });

  it("reads every documented variable", async () => {
    const options = gatewayOptionsFromEnv({
      AUTH_MODE: "operator",
      BASETEN_API_KEY: "k",
      GATEWAY_TOKENS: ` ${"A".repeat(64)} , ${"b".repeat(64)}`,
      PUBLIC_CATALOG: "true",
      CACHE_SALT: SALT,
      BASETEN_MANAGEMENT_URL: "http://127.0.0.1:8790",
      BASETEN_INFERENCE_URL: "http://127.0.0.1:8790",
      CATALOG_FRESH_SECONDS: "30",
      CATALOG_MAX_STALE_SECONDS: "600",
    });
    expect(options).toEqual({
      auth: { mode: "operator", apiKey: "k", tokenHashes: ["a".repeat(64), "b".repeat(64)], publicCatalog: true },
      cacheSalt: SALT,
      managementUrl: "http://127.0.0.1:8790",
      inferenceUrl: "http://127.0.0.1:8790",
      freshSeconds: 30,
      maxStaleSeconds: 600,
    });
  });

  it.each([
    [{}, /CACHE_SALT/],
    [{ CACHE_SALT: "short" }, /CACHE_SALT/],
    [{ CACHE_SALT: SALT, AUTH_MODE: "open" }, /AUTH_MODE/],
    [{ CACHE_SALT: SALT, AUTH_MODE: "operator" }, /BASETEN_API_KEY/],
    [{ CACHE_SALT: SALT, AUTH_MODE: "operator", BASETEN_API_KEY: "k" }, /GATEWAY_TOKENS/],
    [{ CACHE_SALT: SALT, AUTH_MODE: "operator", BASETEN_API_KEY: "k", GATEWAY_TOKENS: "plain-token" }, /SHA-256/],
    [{ CACHE_SALT: SALT, CATALOG_FRESH_SECONDS: "soon" }, /CATALOG_FRESH_SECONDS/],
    [{ CACHE_SALT: SALT, RELAY_FIRST_BYTE_TIMEOUT_SECONDS: "3000000" }, /firstByteTimeoutSeconds must be at most/],
    [{ CACHE_SALT: SALT, RELAY_IDLE_TIMEOUT_SECONDS: "2147484" }, /idleTimeoutSeconds must be at most/],
  ])("refuses %j at start-up with a message naming the variable or option", (env, message) => {
    expect(() => createGateway(gatewayOptionsFromEnv(env))).toThrow(ConfigurationError);
    expect(() => createGateway(gatewayOptionsFromEnv(env))).toThrow(message);
  });

  it("accepts the longest timeouts a timer can hold", () => {
    const env = {
      CACHE_SALT: SALT,
      RELAY_FIRST_BYTE_TIMEOUT_SECONDS: "2147483",
      RELAY_IDLE_TIMEOUT_SECONDS: "2147483",
    };
    expect(() => createGateway(gatewayOptionsFromEnv(env))).not.toThrow();
  });

  it.each(["sk-live-SECRET\nx", "sk-live-SECRET x", "sk-live-SECRET\u0000x", "sk-live-SECRÉT"])(
    "refuses a BASETEN_API_KEY a header cannot carry (%j) without quoting it",
    (key) => {
      const env = { CACHE_SALT: SALT, AUTH_MODE: "operator", BASETEN_API_KEY: key, GATEWAY_TOKENS: "a".repeat(64) };
      expect(() => createGateway(gatewayOptionsFromEnv(env))).toThrow(/BASETEN_API_KEY/);
      expect(() => createGateway(gatewayOptionsFromEnv(env))).not.toThrow(/SECRET/);
    },
  );
});
