// The parts of gateway keys' enforcement, one rule each: header formats, catalog limits, worst cases,
// policies as the admin API reads them, and the environment variables.
import type { InferenceModel } from "@baseten-edge/core";
import { describe, expect, it } from "vitest";
import { atomicStore, ConfigurationError, gatewayOptionsFromEnv, memoryCells } from "../src/index.ts";
import { allows } from "../src/limits/account.ts";
import { actualCharge, worstCase } from "../src/limits/charge.ts";
import { goDuration, rateHeaders, rfc3339 } from "../src/limits/headers.ts";
import { modelRule } from "../src/limits/model-limits.ts";
import { readPolicy } from "../src/limits/usage.ts";
import { resolveOptions } from "../src/options.ts";

const DIGEST = "a".repeat(64);

const model: InferenceModel = {
  id: "openai/gpt-oss-120b",
  object: "model",
  created: 0,
  owned_by: "baseten",
  context_length: 1000,
  max_completion_tokens: 500,
  pricing: { prompt: "0.0000001", completion: "0.0000005" },
};

describe("rate-limit header formats", () => {
  it.each([
    [20, "20ms"],
    [999.2, "1s"],
    [1000, "1s"],
    [1500, "1.5s"],
    [360_000, "6m0s"],
    [3_600_000, "1h0m0s"],
  ])("writes %s ms as OpenAI does: %s", (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });

  it("writes Anthropic's resets as RFC 3339 times rounded up to the second", () => {
    expect(rfc3339(Date.parse("2026-11-22T10:00:00.200Z"))).toBe("2026-11-22T10:00:01Z");
  });

  it("reports the tightest bucket of each measure across a key's and a model's views", () => {
    const at = Date.parse("2026-11-22T10:00:00Z");
    const bucket = (limit: number, remaining: number) => ({
      measure: "requests" as const,
      limit,
      periodMs: 60_000,
      remaining,
      resetMs: 1000,
    });
    const view = (rates: ReturnType<typeof bucket>[]) => ({
      rates,
      inFlight: 0,
      reservedNano: 0,
      day: { key: "d", requests: 0, inputTokens: 0, outputTokens: 0, nano: 0 },
      month: { key: "m", requests: 0, inputTokens: 0, outputTokens: 0, nano: 0 },
    });
    const headers = rateHeaders("anthropic", [view([bucket(60, 50)]), view([bucket(15, 3)])], at);
    expect(headers.get("anthropic-ratelimit-requests-limit")).toBe("15");
    expect(headers.get("anthropic-ratelimit-requests-remaining")).toBe("3");
    expect(headers.get("anthropic-ratelimit-requests-reset")).toBe("2026-11-22T10:00:01Z");
    expect(rateHeaders("openai", [view([bucket(60, 50)])], at).get("x-ratelimit-remaining-requests")).toBe("50");
  });
});

describe("Baseten's rate_limits as ledger limits", () => {
  it("keeps each limit in its own unit and measure", () => {
    const rule = modelRule([
      { type: "REQUEST", unit: "SECOND", threshold: 2 },
      { type: "TOKEN", unit: "MINUTE", threshold: 100_000 },
      { type: "UNCACHED_INPUT_TOKEN", unit: "MINUTE", threshold: 50_000 },
      { type: "OUTPUT_TOKEN", unit: "SECOND", threshold: 300 },
      { type: "CONCURRENT_REQUEST", unit: "MINUTE", threshold: 8 },
    ]);
    expect(rule.limits).toEqual({
      rates: [
        { measure: "requests", limit: 2, periodMs: 1000 },
        { measure: "tokens", limit: 100_000, periodMs: 60_000 },
        { measure: "inputTokens", limit: 50_000, periodMs: 60_000 },
        { measure: "outputTokens", limit: 300, periodMs: 1000 },
      ],
      concurrent: 8,
    });
    expect(rule.blocked).toBe(false);
  });

  it("blocks a model with a threshold of 0, and sets aside what it does not know", () => {
    expect(modelRule([{ type: "REQUEST", unit: "MINUTE", threshold: 0 }]).blocked).toBe(true);
    const rule = modelRule([
      { type: "IMAGE", unit: "MINUTE", threshold: 3 },
      { type: "REQUEST", unit: "HOUR", threshold: 3 },
    ]);
    expect(rule.limits.rates).toEqual([]);
    expect(rule.unrecognised).toHaveLength(2);
  });
});

describe("charges", () => {
  it("reserves the worst case: input up to the body's bytes and the context, output up to max_tokens and the model's bound", () => {
    const small = worstCase(model, 400, 100);
    expect(small.charge).toMatchObject({ requests: 1, outputTokens: 100, inputTokens: 100, tokens: 200 });
    // 400 input tokens at $0.1/M + 100 output at $0.5/M = $0.00009
    expect(small.charge.nano).toBe(90_000);
    const huge = worstCase(model, 10_000_000, 1e308);
    expect(huge.charge.outputTokens).toBe(500);
    expect(huge.charge.nano).toBe(1000 * 100 + 500 * 500); // context and completion bounds
    expect(worstCase(model, 400, undefined).charge.outputTokens).toBe(500); // 4096, bounded by the model
    expect(worstCase(undefined, 400, 10).priced).toBe(false);
  });

  it("settles uncached input tokens and the exact cost", () => {
    const charge = actualCharge(model, { inputTokens: 100, outputTokens: 10, cachedInputTokens: 40 });
    expect(charge).toEqual({ requests: 1, tokens: 110, inputTokens: 60, outputTokens: 10, nano: 15_000 });
  });

  it("matches an allow-list by inference id or catalog name", () => {
    expect(allows(["gpt-oss-120b"], "openai/gpt-oss-120b")).toBe(true);
    expect(allows(["OpenAI/GPT-OSS-120B"], "openai/gpt-oss-120b")).toBe(true);
    expect(allows(["deepseek-v4-pro"], "openai/gpt-oss-120b")).toBe(false);
    expect(allows(["other/gpt-oss-120b"], "openai/gpt-oss-120b")).toBe(false);
  });
});

describe("policies through the admin API", () => {
  it("accepts a cap of exactly $1,000,000", () => {
    expect(readPolicy(DIGEST, { name: "a", daily_usd: "1000000" })).toMatchObject({ dailyUsd: "1000000" });
  });

  it("reads snake_case and the stored camelCase alike", () => {
    expect(readPolicy(DIGEST, { name: "a", rpm: 60, monthly_usd: "50", models: ["m"] })).toEqual({
      name: "a",
      digest: DIGEST,
      requestsPerMinute: 60,
      monthlyUsd: "50",
      models: ["m"],
    });
    expect(readPolicy(DIGEST, { name: "a", digest: DIGEST, tokensPerMinute: 5, dailyUsd: 0.25 })).toEqual({
      name: "a",
      digest: DIGEST,
      tokensPerMinute: 5,
      dailyUsd: "0.25",
    });
  });

  it.each([
    [[], "JSON object"],
    [{ rpm: 1 }, "`name`"],
    [{ name: "a", rpm: -1 }, "whole number"],
    [{ name: "a", rpm: 0 }, "whole number >= 1"],
    [{ name: "a", concurrent: 0 }, "whole number >= 1"],
    [{ name: "a", daily_usd: "999999999" }, "up to 1000000"],
    [{ name: "a", daily_usd: "1000000.000000001" }, "up to 1000000"],
    [{ name: "a", monthly_usd: 9_007_200 }, "up to 1000000"],
    [{ name: "a", rmp: 5 }, 'Unknown field "rmp"'],
    [{ name: "a", model: ["m"] }, 'Unknown field "model"'],
    [{ name: "a", rpm: 5, requests_per_minute: 1000 }, "`rpm` is given more than once"],
    [{ name: "a", rpm: 1.5 }, "whole number"],
    [{ name: "a", monthly_usd: "ten" }, "dollars"],
    [{ name: "a", models: "m" }, "`models`"],
    [{ name: "a", digest: "b".repeat(64) }, "digest"],
  ])("refuses %j with a message naming the field", (body, words) => {
    expect(readPolicy(DIGEST, body)).toContain(words);
  });
});

describe("limits options", () => {
  const env = { AUTH_MODE: "operator", BASETEN_API_KEY: "k", CACHE_SALT: "a long random secret value" };

  it("turns limits on when the runtime opened a store, with ADMIN_TOKENS and MODEL_LIMITS from the environment", () => {
    const store = atomicStore(memoryCells());
    const options = gatewayOptionsFromEnv(
      { ...env, ADMIN_TOKENS: DIGEST.toUpperCase(), MODEL_LIMITS: "false" },
      {
        limitStore: store,
      },
    );
    const resolved = resolveOptions(options);
    expect(resolved.limits).toEqual({ store, adminTokenHashes: [DIGEST], modelLimits: false, streamMs: 1_800_000 });
    expect(resolveOptions(gatewayOptionsFromEnv({ ...env, GATEWAY_TOKENS: DIGEST })).limits).toBeUndefined();
  });

  it("refuses plain tokens in ADMIN_TOKENS and a MODEL_LIMITS that is not a boolean", () => {
    const limitStore = atomicStore(memoryCells());
    expect(() => resolveOptions(gatewayOptionsFromEnv({ ...env, ADMIN_TOKENS: "hunter2" }, { limitStore }))).toThrow(
      ConfigurationError,
    );
    expect(() => gatewayOptionsFromEnv({ ...env, ADMIN_TOKENS: DIGEST, MODEL_LIMITS: "yes" }, { limitStore })).toThrow(
      /MODEL_LIMITS/,
    );
  });
});
