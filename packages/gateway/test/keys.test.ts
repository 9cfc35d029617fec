// Gateway keys: policies put through the admin API, enforced before the upstream call, settled from
// the real usage; Baseten's own per-model limits kept at the edge. In-process gateway, emulator
// upstream, memory store, frozen clock.
import Anthropic from "@anthropic-ai/sdk";
import { sha256Hex } from "@baseten-edge/core/internal";
import type { EmulatorOptions } from "@baseten-edge/emulator";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { atomicStore, type LimitsOptions, memoryCells } from "../src/index.ts";
import { harness } from "./helpers.ts";
import { ADMIN, chat, MODEL, STATIC } from "./limits-fixtures.ts";

type Usage = {
  name: string;
  today: { requests: number; usd: string };
  month: { requests: number; usd: string; output_tokens: number };
  in_flight: number;
  limits: Record<string, { limit: number | string; remaining: number | string }>;
};

async function keysHarness(limits: Partial<LimitsOptions> = {}, emulatorOptions: EmulatorOptions = {}) {
  const store = atomicStore(memoryCells());
  const h = harness(
    {
      auth: { mode: "operator", apiKey: "emulator-key", tokenHashes: [await sha256Hex(STATIC)] },
      limits: { store, adminTokenHashes: [await sha256Hex(ADMIN)], ...limits },
    },
    emulatorOptions,
  );
  let made = 0;
  return {
    ...h,
    store,
    /** Puts a policy for a fresh key through the admin API and returns the key. */
    async createKey(policy: Record<string, unknown>): Promise<string> {
      const key = `bek_test_${++made}_${crypto.randomUUID()}`;
      const response = await h.send("PUT", `/v1/admin/keys/${await sha256Hex(key)}`, ADMIN, policy);
      expect(response.status).toBe(200);
      return key;
    },
    chat(key: string | null, body: unknown = chat(), init?: RequestInit) {
      return h.send("POST", "/v1/chat/completions", key, body, init);
    },
    async usage(key: string): Promise<Usage> {
      await h.settle();
      return (await h.send("GET", "/v1/usage", key)).json() as Promise<Usage>;
    },
  };
}

/** Reads a streamed answer to its end (or cancels it after the first chunk) and returns its text. */
async function drain(response: Response, cancelEarly = false): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (cancelEarly) {
      await reader.cancel();
      return text;
    }
  }
}

describe("gateway keys", () => {
  it("accepts a key put through the admin API, refuses unknown tokens with 401, and keeps static tokens unlimited", async () => {
    const h = await keysHarness({ modelLimits: false });
    const key = await h.createKey({ name: "team-a", rpm: 60 });
    const ok = await h.chat(key);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ratelimit-limit-requests")).toBe("60");
    expect(ok.headers.get("x-ratelimit-remaining-requests")).toBe("59");
    expect((await h.chat("bek_not_a_key")).status).toBe(401);
    const staticAnswer = await h.chat(STATIC);
    expect(staticAnswer.status).toBe(200);
    expect(staticAnswer.headers.get("x-ratelimit-limit-requests")).toBeNull();
    // A key reads the catalog like a static token does.
    expect((await h.get("/v1/model_apis/gpt-oss-120b", key)).status).toBe(200);
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(2);
  });

  it("admits exactly 50 of 200 concurrent requests against 50 per minute; the others get 429 with the rate-limit headers", async () => {
    const h = await keysHarness();
    const key = await h.createKey({ name: "team-a", requests_per_minute: 50 });
    const answers = await Promise.all(Array.from({ length: 200 }, () => h.chat(key)));
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(50);
    expect(refused).toHaveLength(150);
    const sample = refused[0] as Response;
    expect(Number(sample.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(sample.headers.get("x-ratelimit-limit-requests")).toBe("50");
    expect(sample.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(sample.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(\.\d+)?s$|^\d+m[\d.]+s$/);
    expect(await sample.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(50);
    // The bucket refills continuously: 1.2 s later one more request fits, and only one.
    h.clock.advance(1.2);
    expect((await h.chat(key)).status).toBe(200);
    expect((await h.chat(key)).status).toBe(429);
  });

  it("gives the openai SDK a RateLimitError it can read the headers of", async () => {
    const h = await keysHarness({ modelLimits: false });
    const key = await h.createKey({ name: "sdk", rpm: 1 });
    const fetch = (input: string | URL | Request, init?: RequestInit) =>
      h.gateway.fetch(new Request(input, init), { waitUntil: () => {} });
    const client = new OpenAI({ apiKey: key, baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
    await client.chat.completions.create(chat() as never);
    const error = await client.chat.completions.create(chat() as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.code).toBe("rate_limit_exceeded");
  });

  it("holds a spend cap under 100 concurrent streams, some cancelled by the client and some broken upstream", async () => {
    const faults = (request: Request) => {
      const affinity = request.headers.get("x-session-affinity");
      if (affinity === "cut") return { chunks: 20, cutAfter: 3 };
      if (affinity === "cut-at-once") return { chunks: 20, cutAfter: 0 };
      return { chunks: 20 };
    };
    const h = await keysHarness({ modelLimits: false }, { faults });
    const cap = "0.002";
    const key = await h.createKey({ name: "capped", monthly_usd: cap });
    const body = chat({ stream: true, max_tokens: 200 });
    const kinds = ["complete", "cancel", "cut", "cut-at-once"] as const;
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        h.chat(key, body, { headers: { "x-session-affinity": kinds[i % 4] as string } }),
      ),
    );
    const admitted = answers.map((a, i) => [a, kinds[i % 4]] as const).filter(([a]) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(admitted.length).toBeGreaterThan(4);
    expect(admitted.length + refused.length).toBe(100);
    expect(await (refused[0] as Response).json()).toMatchObject({ error: { type: "insufficient_quota" } });
    expect((refused[0] as Response).headers.get("x-should-retry")).toBe("false");
    await Promise.all(admitted.map(([answer, kind]) => drain(answer, kind === "cancel")));
    const usage = await h.usage(key);
    expect(usage.in_flight).toBe(0);
    expect(usage.month.requests).toBe(admitted.length);
    expect(Number(usage.month.usd)).toBeLessThanOrEqual(Number(cap));
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(admitted.length);
    // Settled below their worst case, the finished requests made room for more, still under the cap.
    const more = await Promise.all(Array.from({ length: 20 }, () => h.chat(key, chat({ max_tokens: 200 }))));
    expect(more.some((a) => a.status === 200)).toBe(true);
    expect(Number((await h.usage(key)).month.usd)).toBeLessThanOrEqual(Number(cap));
  });

  it("charges a stream that never reported usage its whole reservation, and a cancelled one the usage it had seen", async () => {
    const faults = (request: Request) =>
      request.headers.get("x-session-affinity") === "silent" ? { chunks: 8, cutAfter: 0 } : { chunks: 8 };
    const h = await keysHarness({ modelLimits: false }, { faults });
    const key = await h.createKey({ name: "observed", monthly_usd: "1" });
    const body = chat({ stream: true, max_tokens: 100 });
    await drain(await h.chat(key, body, { headers: { "x-session-affinity": "silent" } }));
    const silent = await h.usage(key);
    expect(silent.month.output_tokens).toBe(100); // the reservation's worst case
    await drain(await h.chat(key, body), true);
    const cancelled = await h.usage(key);
    expect(cancelled.month.output_tokens - silent.month.output_tokens).toBeLessThan(100);
    expect(cancelled.month.requests).toBe(2);
  });

  it("frees the reservation of a request never settled (a crashed isolate) when its ticket expires, charged in full", async () => {
    const h = await keysHarness({ modelLimits: false, streamSeconds: 60 }, {});
    const key = await h.createKey({ name: "team-a", concurrent: 1 });
    const stream = await h.chat(key, chat({ stream: true, max_tokens: 50 }));
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const second = await h.chat(key);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    // Nobody reads or settles the stream; past the first-byte timeout (600 s) plus streamSeconds, the slot is free.
    h.clock.advance(600 + 60);
    expect((await h.chat(key)).status).toBe(200);
    expect((await h.usage(key)).month.output_tokens).toBeGreaterThanOrEqual(50);
  });

  it("settles Anthropic streams from message_start and message_delta usage", async () => {
    const h = await keysHarness({ modelLimits: false });
    const key = await h.createKey({ name: "claude-code", monthly_usd: "1" });
    const body = { model: MODEL, max_tokens: 300, stream: true, messages: [{ role: "user", content: "Hi" }] };
    const answer = await h.send("POST", "/v1/messages", key, body);
    expect(answer.status).toBe(200);
    const text = await drain(answer);
    const usage = await h.usage(key);
    const reported = [...text.matchAll(/"output_tokens":(\d+)/g)].map((m) => Number(m[1]));
    expect(usage.month.output_tokens).toBe(reported.at(-1));
    expect(usage.month.output_tokens).toBeLessThan(300);
  });

  it("applies a policy change to the very next request, and a deleted key is refused", async () => {
    const h = await keysHarness({ modelLimits: false });
    const key = await h.createKey({ name: "team-b", rpm: 1, models: ["deepseek-v4-pro"] });
    const digest = await sha256Hex(key);
    const notAllowed = await h.chat(key);
    expect(notAllowed.status).toBe(403);
    expect(await notAllowed.json()).toMatchObject({ error: { type: "permission_error", code: "model_not_allowed" } });
    await h.send("PUT", `/v1/admin/keys/${digest}`, ADMIN, { name: "team-b", rpm: 1, models: ["gpt-oss-120b"] });
    expect((await h.chat(key)).status).toBe(200);
    expect((await h.chat(key)).status).toBe(429);
    await h.send("PUT", `/v1/admin/keys/${digest}`, ADMIN, { name: "team-b", rpm: 100 });
    expect((await h.chat(key)).status).toBe(200);
    expect((await h.send("DELETE", `/v1/admin/keys/${digest}`, ADMIN)).status).toBe(200);
    expect((await h.chat(key)).status).toBe(401);
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(2);
  });

  it("answers a spend cap on Anthropic routes with 402 billing_error, and a per-day cap is its own", async () => {
    const h = await keysHarness({ modelLimits: false });
    const key = await h.createKey({ name: "tiny", daily_usd: "0.000001" });
    const body = { model: MODEL, max_tokens: 64, messages: [{ role: "user", content: "Hi" }] };
    const answer = await h.send("POST", "/v1/messages", key, body);
    expect(answer.status).toBe(402);
    expect(await answer.json()).toMatchObject({ type: "error", error: { type: "billing_error" } });
    expect(h.upstreamCalls("/v1/messages")).toBe(0);
  });

  it("refuses a key with a spend cap a model whose price is unknown (fail closed); a key without a cap may call it", async () => {
    const h = await keysHarness({ modelLimits: false });
    const capped = await h.createKey({ name: "capped", monthly_usd: "10" });
    const open = await h.createKey({ name: "open", rpm: 10 });
    const unpriced = chat({ model: "nvidia/Nemotron-120B-A12B" });
    const refused = await h.chat(capped, unpriced);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "model_price_unknown" } });
    expect((await h.chat(open, unpriced)).status).toBe(200);
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(1);
    expect((await h.usage(capped)).month.requests).toBe(0); // the refused reservation was released
  });

  it("shows a key's holder their usage and limits, and an admin every key", async () => {
    const h = await keysHarness({ modelLimits: false });
    const a = await h.createKey({ name: "team-a", rpm: 60, monthly_usd: "50" });
    await h.createKey({ name: "team-b", tpm: 10_000, concurrent: 2, daily_usd: "5" });
    expect((await h.chat(a)).status).toBe(200);
    const own = await h.usage(a);
    expect(own).toMatchObject({
      name: "team-a",
      today: { requests: 1 },
      month: { requests: 1 },
      limits: { requests_per_minute: { limit: 60, remaining: 59 }, monthly_usd: { limit: "50" } },
    });
    expect(Number(own.month.usd)).toBeGreaterThan(0);
    expect(own).not.toHaveProperty("digest");
    const all = (await (await h.send("GET", "/v1/admin/keys", ADMIN)).json()) as { data: Usage[] };
    expect(all.data.map((k) => k.name)).toEqual(["team-a", "team-b"]);
    expect((await h.send("GET", "/v1/admin/keys", a)).status).toBe(401);
    expect((await h.send("GET", "/v1/usage", STATIC)).status).toBe(404);
  });

  it("bounds the store look-ups random tokens cost, per client address", async () => {
    const h = await keysHarness({ modelLimits: false });
    const ctx = { waitUntil: () => {}, clientAddress: "203.0.113.9" };
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const request = new Request("http://gateway.test/v1/models", {
        headers: { authorization: `Bearer random-${i}` },
      });
      statuses.push((await h.gateway.fetch(request, ctx)).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(30); // newKeysPerClientPerMinute
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });

  it("answers 503 in the route's protocol when the limits store fails, and sends nothing upstream", async () => {
    const h = await keysHarness({ modelLimits: false });
    const key = await h.createKey({ name: "team-a", rpm: 10 });
    expect((await h.chat(key)).status).toBe(200); // this isolate now knows the key
    const apply = h.store.apply;
    h.store.apply = async () => {
      throw new Error("store down");
    };
    const unknown = await h.chat("bek_never_seen_before");
    expect(unknown.status).toBe(503);
    expect(await unknown.json()).toMatchObject({ error: { type: "api_error" } });
    // A key this isolate knows is still admitted by the store, which is down: refused, not let through.
    const known = await h.chat(key);
    expect(known.status).toBe(503);
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(1);
    h.store.apply = apply;
    expect((await h.chat(key)).status).toBe(200);
    expect(h.events.some((e) => e.event === "limits_store_error")).toBe(true);
  });

  it("releases an admission the store applied before its reply was lost, instead of holding it 40 minutes", async () => {
    const h = await keysHarness({ modelLimits: false });
    const key = await h.createKey({ name: "one-at-a-time", concurrent: 1 });
    const apply = h.store.apply.bind(h.store);
    let loseNext = true;
    h.store.apply = async (account, op) => {
      const result = await apply(account, op);
      if (op.op === "admit" && loseNext) {
        loseNext = false;
        throw new Error("Network connection lost.");
      }
      return result;
    };
    expect((await h.chat(key)).status).toBe(503);
    expect((await h.usage(key)).in_flight).toBe(0);
    expect((await h.chat(key)).status).toBe(200);
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(1);
  });

  it("never lets a key reach logs, store account names or error bodies (digests only)", async () => {
    const h = await keysHarness();
    const key = await h.createKey({ name: "secretive", rpm: 1, monthly_usd: "0.0000001" });
    const bodies = await Promise.all([
      h.chat(key),
      h.chat(key),
      h.chat(`${key}x`),
      h.send("POST", "/v1/messages", key, { model: MODEL, max_tokens: 9, messages: [] }),
      h.send("GET", "/v1/usage", key),
    ]).then((answers) => Promise.all(answers.map(async (a) => `${[...a.headers].join()} ${await a.text()}`)));
    await h.settle();
    const seen = [
      ...bodies,
      ...h.events.map((event) => JSON.stringify(event)),
      ...(await h.store.list("")),
      JSON.stringify(await (await h.send("GET", "/v1/admin/keys", ADMIN)).json()),
    ].join("\n");
    expect(seen).not.toContain(key);
    expect(seen).toContain(`key:${await sha256Hex(key)}`);
  });
});

describe("Baseten's per-model limits, kept for the workspace", () => {
  const workspace = (rateLimits: { type: string; unit: string; threshold: number }[]) => ({
    workspaces: [
      {
        id: "default",
        keys: ["emulator-key"],
        added: { "gpt-oss-120b": { added_at: "2025-08-06T12:00:00Z", last_used_at: null } },
        rateLimits: { "gpt-oss-120b": rateLimits as never },
      },
    ],
  });

  it("answers 429 locally before Baseten would: the upstream never sees the refused requests", async () => {
    const h = await keysHarness({}, workspace([{ type: "REQUEST", unit: "SECOND", threshold: 2 }]));
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.chat(STATIC)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429, 429, 429]);
    const refused = answers.find((a) => a.status === 429) as Response;
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect((await refused.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining("Baseten") } });
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(2);
    h.clock.advance(1);
    expect((await h.chat(STATIC)).status).toBe(200);
  });

  it("counts every key and static token of the workspace together, and releases a key's reservation the model refused", async () => {
    const h = await keysHarness({}, workspace([{ type: "CONCURRENT_REQUEST", unit: "MINUTE", threshold: 1 }]));
    const key = await h.createKey({ name: "team-a", rpm: 10 });
    const first = await h.chat(STATIC, chat({ stream: true }));
    expect(first.status).toBe(200);
    const second = await h.chat(key);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    await drain(first);
    const usage = await h.usage(key);
    expect(usage.limits.requests_per_minute?.remaining).toBe(10); // released, not charged
    expect((await h.chat(key)).status).toBe(200);
  });

  it("speaks Anthropic's headers on Anthropic routes (RFC 3339 resets), and refuses a model whose limit is 0", async () => {
    const h = await keysHarness({}, workspace([{ type: "OUTPUT_TOKEN", unit: "MINUTE", threshold: 1000 }]));
    const client = new Anthropic({
      apiKey: STATIC,
      baseURL: "http://gateway.test",
      fetch: (input, init) => h.gateway.fetch(new Request(input, init), { waitUntil: () => {} }),
      maxRetries: 0,
    });
    const { response } = await client.messages
      .create({ model: MODEL, max_tokens: 600, messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    expect(response.headers.get("anthropic-ratelimit-output-tokens-limit")).toBe("1000");
    expect(response.headers.get("anthropic-ratelimit-output-tokens-reset")).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    const blocked = await keysHarness({}, workspace([{ type: "REQUEST", unit: "MINUTE", threshold: 0 }]));
    expect((await blocked.chat(STATIC)).status).toBe(429);
    expect(blocked.upstreamCalls("/v1/chat/completions")).toBe(0);
  });
});
