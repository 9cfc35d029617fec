// The Worker end to end: its fetch handler called directly, and the deployed shape through SELF.
import { createExecutionContext, createScheduledController, SELF, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker, { failedRequest } from "../src/index.ts";
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

  describe("REQUEST_LOG", () => {
    afterEach(() => vi.restoreAllMocks());
    type WorkerRequest = Parameters<typeof worker.fetch>[0];
    const chat = (model: string): WorkerRequest =>
      new Request(`${BASE}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${EMULATOR_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "Say hello." }] }),
      });
    /** Relays `request` under `vars`; the request events logged, and the Analytics Engine points written. */
    async function relayed(request: WorkerRequest, vars: Record<string, string>) {
      const lines: string[] = [];
      vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
      const points: AnalyticsEngineDataPoint[] = [];
      const analytics = { writeDataPoint: (point: AnalyticsEngineDataPoint) => void points.push(point) };
      const ctx = createExecutionContext();
      const response = await worker.fetch(
        request,
        { ...env, AUTH_MODE: "pass-through", ANALYTICS: analytics, ...vars },
        ctx,
      );
      await response.text();
      await waitOnExecutionContext(ctx);
      const events = lines.map((line) => JSON.parse(line) as { event: string; status: number });
      return { status: response.status, requests: events.filter((e) => e.event === "request"), points };
    }

    it("logs every relayed request by default", async () => {
      const { status, requests } = await relayed(chat("openai/gpt-oss-120b"), {});
      expect(status).toBe(200);
      expect(requests.map((e) => e.status)).toEqual([200]);
    });

    it("with errors, logs no line for a request that succeeded but still writes its data point", async () => {
      const { status, requests, points } = await relayed(chat("openai/gpt-oss-120b"), { REQUEST_LOG: "errors" });
      expect(status).toBe(200);
      expect(requests).toEqual([]);
      expect(points).toHaveLength(1);
    });

    it("with errors, logs a request that was refused", async () => {
      const { status, requests } = await relayed(chat(""), { REQUEST_LOG: "errors" });
      expect(status).toBe(400);
      expect(requests.map((e) => e.status)).toEqual([400]);
    });

    it("counts an error status or a stream that did not complete as failed", () => {
      const event = { event: "request", status: 200 };
      expect(failedRequest(event)).toBe(false);
      expect(failedRequest({ ...event, stream_outcome: "complete" })).toBe(false);
      expect(failedRequest({ ...event, stream_outcome: "broken" })).toBe(true);
      expect(failedRequest({ ...event, stream_outcome: "cancelled" })).toBe(true);
      expect(failedRequest({ ...event, status: 429 })).toBe(true);
      expect(failedRequest({ ...event, status: null })).toBe(true);
    });

    it("refuses a value it does not know, with a 500 that names nothing", async () => {
      const errors: string[] = [];
      vi.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
      const response = await worker.fetch(
        new Request(`${BASE}/healthz`),
        { ...env, REQUEST_LOG: "verbose" },
        createExecutionContext(),
      );
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain("REQUEST_LOG");
      expect(errors.join("\n")).toContain('REQUEST_LOG must be \\"all\\" or \\"errors\\"');
    });
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
