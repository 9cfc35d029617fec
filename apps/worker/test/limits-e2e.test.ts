// Gateway keys end to end in workerd: the Worker's own gateway (its LIMITS Durable Objects), the emulator upstream,
// and a frozen clock, so "50 a minute" means exactly 50 however long the burst takes.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gatewayFor } from "../src/index.ts";
import { ADMIN_TOKEN, FAULT_AGENT } from "./constants.ts";

const BASE = "https://gateway.example";
// Later than any real clock of a test run: buckets other files filled at real time have drained by then.
const T0 = Date.UTC(2030, 0, 15, 12);
const MODEL = "openai/gpt-oss-120b"; // priced in the emulator's catalog

/** The Worker's gateway for a fresh env (its own gateway object), on a frozen clock; its background work is kept. */
function worker(vars: Record<string, string> = {}, now = T0) {
  const pending: Promise<unknown>[] = [];
  const gateway = gatewayFor({ ...env, AUTH_MODE: "operator", ...vars }, () => now);
  return {
    fetch: (path: string, init: RequestInit = {}) =>
      gateway.fetch(new Request(`${BASE}${path}`, init), { waitUntil: (promise) => void pending.push(promise) }),
    /** Waits for the settlements of answers that have ended (they run in `waitUntil`). */
    settled: async () => {
      for (let seen = -1; seen !== pending.length; ) {
        seen = pending.length;
        await Promise.all(pending);
      }
    },
  };
}
type Worker = ReturnType<typeof worker>;

/** A new gateway key, stored with `policy` through the admin API; returns the key (shown once) and its digest. */
async function newKey(gateway: Worker, policy: Record<string, unknown>): Promise<{ key: string; digest: string }> {
  const key = `bek_${crypto.randomUUID().replaceAll("-", "")}`;
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  const digest = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const put = await putPolicy(gateway, digest, policy);
  expect(put.status).toBe(200);
  return { key, digest };
}

const putPolicy = (gateway: Worker, digest: string, policy: Record<string, unknown>) =>
  gateway.fetch(`/v1/admin/keys/${digest}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(policy),
  });

const bodyOf = (maxTokens: number, stream: boolean) =>
  JSON.stringify({
    model: MODEL,
    messages: [{ role: "user", content: "Say hello." }],
    max_tokens: maxTokens,
    ...(stream && { stream: true }),
  });

const chat = (gateway: Worker, key: string, options: { stream?: boolean; agent?: string; maxTokens?: number } = {}) =>
  gateway.fetch("/v1/chat/completions", {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      ...(options.agent && { "user-agent": options.agent }),
    },
    body: bodyOf(options.maxTokens ?? 64, options.stream ?? false),
  });

async function usageOf(gateway: Worker, digest: string) {
  const response = await gateway.fetch(`/v1/admin/keys/${digest}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { usage: Record<string, unknown> };
}

// Hundreds of requests through the Worker, its objects and the emulator: minutes are spare on a busy CI machine.
describe("gateway keys on the Worker's Durable Objects", { timeout: 120_000 }, () => {
  it("admits exactly 50 of 200 concurrent requests to a key limited to 50 a minute", async () => {
    const gateway = worker({ MODEL_LIMITS: "false" });
    const { key } = await newKey(gateway, { name: "team-a", rpm: 50 });
    const answers = await Promise.all(Array.from({ length: 200 }, () => chat(gateway, key)));
    await Promise.all(answers.map((answer) => answer.arrayBuffer()));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(50);
    expect(statuses.filter((status) => status === 429)).toHaveLength(150);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.headers.get("retry-after")).toBe("2"); // 1.2 s until the bucket has room, rounded up
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  });

  it("keeps Baseten's own requests-a-minute limit for a model across two keys of the workspace", async () => {
    const gateway = worker();
    const keys = await Promise.all([newKey(gateway, { name: "a" }), newKey(gateway, { name: "b" })]);
    const row = await gateway.fetch("/v1/model_apis/gpt-oss-120b", {
      headers: { authorization: `Bearer ${keys[0]!.key}` },
    });
    const { rate_limits } = (await row.json()) as { rate_limits: { type: string; unit: string; threshold: number }[] };
    const limit = rate_limits.find((l) => l.type === "REQUEST" && l.unit === "MINUTE")!.threshold;
    const answers = await Promise.all(Array.from({ length: limit + 30 }, (_, i) => chat(gateway, keys[i % 2]!.key)));
    await Promise.all(answers.map((answer) => answer.arrayBuffer()));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(limit);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe(String(limit));
  });

  it("holds a spend cap under 100 concurrent streams, some cancelled and some broken upstream", async () => {
    const gateway = worker({ MODEL_LIMITS: "false" });
    const capNano = 1_500_000; // $0.0015
    // The worst case the gateway reserves: a token per byte of the body at $0.10/M, 64 output tokens at $0.50/M.
    const reservationNano = bodyOf(64, true).length * 100 + 64 * 500;
    const { key, digest } = await newKey(gateway, { name: "capped", daily_usd: "0.0015" });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const broken = i % 3 === 1;
        const answer = await chat(gateway, key, {
          stream: true,
          ...(broken && { agent: `${FAULT_AGENT}cut-after=2` }),
        });
        if (answer.status !== 200) {
          const body = (await answer.json()) as { error: { code: string } };
          return `${answer.status} ${body.error.code} retry=${answer.headers.get("x-should-retry")}`;
        }
        if (i % 3 === 2) {
          const reader = answer.body!.getReader();
          await reader.read();
          await reader.cancel(); // the client goes away after the first chunk
          return "cancelled";
        }
        const text = await answer.text();
        return broken ? (text.includes('"error"') ? "broken" : "not broken") : "complete";
      }),
    );
    await gateway.settled();
    const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
    const admitted = count("complete") + count("cancelled") + count("broken");
    expect(count("429 insufficient_quota retry=false")).toBe(100 - admitted);
    expect(Math.min(count("complete"), count("cancelled"), count("broken"))).toBeGreaterThan(0);
    // Never more in flight than the cap holds: all admissions race ahead of the first settlement, or a
    // settlement released room for more (its real cost is below its reservation).
    expect(admitted).toBeGreaterThanOrEqual(Math.floor(capNano / reservationNano));
    const { usage } = await usageOf(gateway, digest);
    expect(usage).toMatchObject({ in_flight: 0, today: { requests: admitted } }); // every stream settled
    const spent = Number((usage.today as { usd: string }).usd) * 1e9;
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(capNano);
  });

  it("applies a policy change to the very next request", async () => {
    const gateway = worker({ MODEL_LIMITS: "false" });
    const { key, digest } = await newKey(gateway, { name: "changing", rpm: 1 });
    const status = async () => {
      const answer = await chat(gateway, key);
      await answer.arrayBuffer();
      return answer.status;
    };
    expect(await status()).toBe(200);
    expect(await status()).toBe(429);
    expect((await putPolicy(gateway, digest, { name: "changing", rpm: 3 })).status).toBe(200);
    expect(await status()).toBe(200);
    expect((await putPolicy(gateway, digest, { name: "changing", rpm: 3, models: ["deepseek-v4-pro"] })).status).toBe(
      200,
    );
    expect(await status()).toBe(403);
  });

  it("counts the requests through the gateway in reconciliation's per-model totals (its model accounts)", async () => {
    // The next day: the model's requests-a-minute bucket that the test above emptied is not this one.
    const gateway = worker({}, T0 + 86_400_000);
    const { key } = await newKey(gateway, { name: "reconciled" });
    const reconcile = async () => {
      const answer = await gateway.fetch("/v1/admin/reconcile", {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as {
        gateway_totals_from: string;
        day: { models: { model: string; gateway: { requests: number } | null }[] };
      };
      expect(body.gateway_totals_from).toBe("model_accounts");
      return body.day.models.find((row) => row.model === MODEL)?.gateway?.requests ?? 0;
    };
    const before = await reconcile();
    for (let i = 0; i < 3; i++) {
      const answer = await chat(gateway, key);
      await answer.arrayBuffer();
      expect(answer.status).toBe(200);
    }
    await gateway.settled();
    expect((await reconcile()) - before).toBe(3);
  });
});
