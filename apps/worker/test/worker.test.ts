// The Worker end to end: its fetch handler called directly, and the deployed shape through SELF.
import { createExecutionContext, createScheduledController, SELF, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { EMULATOR_KEY, GATEWAY_TOKEN } from "./constants.ts";

const BASE = "https://gateway.example";
const asGatewayCaller = { headers: { authorization: `Bearer ${GATEWAY_TOKEN}` } };

describe("worker.fetch", () => {
  it("relays a pass-through caller's key to Baseten and answers with the catalog", async () => {
    const ctx = createExecutionContext();
    const passThrough = { ...env, AUTH_MODE: "pass-through" };
    const response = await worker.fetch(
      new Request(`${BASE}/v1/model_apis?limit=3`, { headers: { authorization: `Bearer ${EMULATOR_KEY}` } }),
      passThrough,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    const body = await response.json<{ items: { name: string }[] }>();
    expect(body.items).toHaveLength(3);
  });

  it("writes one Analytics Engine data point per relayed request when ANALYTICS is bound", async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const analytics = { writeDataPoint: (point: AnalyticsEngineDataPoint) => void points.push(point) };
    const ctx = createExecutionContext();
    const withAnalytics = { ...env, AUTH_MODE: "pass-through", ANALYTICS: analytics };
    const response = await worker.fetch(
      new Request(`${BASE}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${EMULATOR_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "Say hello." }] }),
      }),
      withAnalytics,
      ctx,
    );
    await response.text();
    await waitOnExecutionContext(ctx);
    expect(points).toHaveLength(1);
    expect(points[0]?.indexes).toEqual(["/v1/chat/completions"]);
    expect(points[0]?.blobs?.slice(0, 3)).toEqual(["/v1/chat/completions", "openai/gpt-oss-120b", "200"]);
    expect(points[0]?.doubles?.[3]).toBeGreaterThan(0); // output tokens
    expect(JSON.stringify(points)).not.toContain(EMULATOR_KEY);
  });

  it("answers 500 without details when the configuration cannot work", async () => {
    const response = await worker.fetch(
      new Request(`${BASE}/healthz`),
      { ...env, CACHE_SALT: "" },
      createExecutionContext(),
    );
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("CACHE_SALT");
  });
});

describe("through SELF", () => {
  it("answers the health check", async () => {
    const response = await SELF.fetch(`${BASE}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("serves the catalog from Baseten to a caller with a gateway token", async () => {
    const response = await SELF.fetch(`${BASE}/v1/model_apis?limit=1000`, asGatewayCaller);
    expect(response.status).toBe(200);
    const { items } = await response.json<{ items: { name: string }[] }>();
    expect(items.map((m) => m.name)).toContain("deepseek-v4-pro");
  });

  it("refuses a caller without a gateway token", async () => {
    const response = await SELF.fetch(`${BASE}/v1/models`, { headers: { authorization: `Bearer ${EMULATOR_KEY}` } });
    expect(response.status).toBe(401);
  });

  it("answers a repeated request from the cache", async () => {
    await SELF.fetch(`${BASE}/v1/model_apis/deepseek-v4-pro`, asGatewayCaller);
    const again = await SELF.fetch(`${BASE}/v1/model_apis/deepseek-v4-pro`, asGatewayCaller);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-cache")).toBe("HIT");
  });

  it("relays a streamed chat completion from Baseten to a gateway caller", async () => {
    const response = await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: { ...asGatewayCaller.headers, "content-type": "application/json" },
      body: JSON.stringify({
        model: "deepseek-ai/DeepSeek-V4-Pro",
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await response.text();
    expect(text).toMatch(/^data: \{/);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });
});

describe("the Cron Trigger", () => {
  it("refreshes the operator catalog into KV", async () => {
    const started = Date.now();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const { keys } = await env.CATALOG_KV.list();
    const entries = await Promise.all(keys.map((k) => env.CATALOG_KV.getWithMetadata<{ fetchedAt: number }>(k.name)));
    const refreshed = entries.filter((e) => (e.metadata?.fetchedAt ?? 0) >= started);
    expect(refreshed.some((e) => e.value?.includes('"name":"deepseek-v4-pro"'))).toBe(true);
  });
});
