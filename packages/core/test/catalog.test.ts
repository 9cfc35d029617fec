import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CatalogEntry,
  estimateCost,
  formatDecimal,
  type InferenceModel,
  InvalidArgumentError,
  type ModelApi,
  parseDecimal,
  perMillionToPerToken,
  perTokenToPerMillion,
  pricesOf,
  rateLimitsPerMinute,
  searchCatalog,
  tokensFromUsage,
} from "../src/index.ts";
import { modelApi } from "./helpers.ts";

describe("decimals", () => {
  it.each([
    ["0.13", "0.13"],
    ["0.50", "0.5"],
    ["+1.000", "1"],
    ["-0.25", "-0.25"],
    [".5", "0.5"],
    ["1e-7", "0.0000001"],
    ["2.5E3", "2500"],
    [0.0000001, "0.0000001"],
    [0.13, "0.13"],
    [3, "3"],
  ])("reads %j exactly as %s", (input, expected) => {
    expect(formatDecimal(parseDecimal(input))).toBe(expected);
  });

  it.each(["", ".", "abc", "1.2.3", "--1", Number.NaN, Number.POSITIVE_INFINITY])("refuses %j", (input) => {
    expect(() => parseDecimal(input)).toThrow(RangeError);
  });

  it.each(["1e-65", "1e65", "1e-400000000", "1e300000000", "1e99999999999999999999", 1e-100, 1e300])(
    "refuses %j: an exponent beyond ±64 would cost seconds of bigint arithmetic later",
    (input) => {
      expect(() => parseDecimal(input)).toThrow(RangeError);
    },
  );

  it.each([
    ["1e-64", `0.${"0".repeat(63)}1`],
    ["1e64", `1${"0".repeat(64)}`],
    ["1e+0000000000000000000000002", "100"],
  ])("reads %j, whose exponent is within ±64", (input, expected) => {
    expect(formatDecimal(parseDecimal(input))).toBe(expected);
  });

  it("round-trips any decimal written with up to 12 fraction digits", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
        fc.integer({ min: 0, max: 12 }),
        (units, scale) => {
          const text = formatDecimal({ units, scale });
          expect(formatDecimal(parseDecimal(text))).toBe(text);
          expect(perTokenToPerMillion(perMillionToPerToken(text))).toBe(text);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("unknown (null) prices", () => {
  const unpriced = modelApi("m", { cost_per_million_input_tokens: null, cost_per_million_output_tokens: "2" });

  it("reads a null catalog price as unknown, never zero", () => {
    expect(pricesOf(unpriced as never)).toEqual({
      inputPerMillion: null,
      outputPerMillion: "2",
      cachedInputPerMillion: null,
    });
  });

  it("estimates an unknown cost, part by part, instead of throwing or inventing zero", () => {
    expect(estimateCost(unpriced as never, { inputTokens: 1_000, outputTokens: 500_000 })).toEqual({
      inputUsd: null,
      cachedInputUsd: "0",
      outputUsd: "1",
      totalUsd: null,
    });
  });

  it("knows the cost when no tokens were used at the unknown price", () => {
    expect(estimateCost(unpriced as never, { inputTokens: 0, outputTokens: 500_000 }).totalUsd).toBe("1");
  });

  it("treats an inference model without pricing as unknown", () => {
    const model = { id: "x", object: "model", created: 0, owned_by: "baseten" } as InferenceModel;
    expect(estimateCost(model, { inputTokens: 1, outputTokens: 1 }).totalUsd).toBeNull();
  });
});

describe("prices and costs", () => {
  it("charges exactly $0.13 for a million tokens at 0.13 per million", () => {
    const cost = estimateCost(modelApi("m", { cost_per_million_input_tokens: "0.13" }) as never, {
      inputTokens: 1_000_000,
      outputTokens: 0,
    });
    expect(cost.totalUsd).toBe("0.13");
  });

  it("adds input and output without float drift", () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004.
    const prices = { inputPerMillion: "0.1", outputPerMillion: "0.2", cachedInputPerMillion: null };
    expect(estimateCost(prices, { inputTokens: 1_000_000, outputTokens: 1_000_000 }).totalUsd).toBe("0.3");
  });

  it("leaves cached tokens unknown on a catalog row (it lists no cached price), and only then", () => {
    // Recorded: DeepSeek V4 Pro, 346 prompt tokens of which 256 cached (Scoreboard GenSync-Tools-SquareRoot-1).
    const row = { cost_per_million_input_tokens: "1.74", cost_per_million_output_tokens: "3.48" } as ModelApi;
    const tokens = { inputTokens: 346, cachedInputTokens: 256, outputTokens: 32 };
    expect(estimateCost(row, tokens)).toEqual({
      inputUsd: "0.0001566",
      cachedInputUsd: null,
      outputUsd: "0.00011136",
      totalUsd: null,
    });
    expect(estimateCost(row, { ...tokens, cachedInputTokens: 0 }).totalUsd).toBe("0.0007134");
  });

  it("charges cached input at the input price for a /v1/models entry that lists no cached price", () => {
    const model = { id: "m", pricing: { prompt: "0.0000006", completion: "0.0000017" } } as InferenceModel;
    expect(pricesOf(model).cachedInputPerMillion).toBe("0.6");
    expect(estimateCost(model, { inputTokens: 1000, cachedInputTokens: 1000, outputTokens: 0 }).totalUsd).toBe(
      "0.0006",
    );
  });

  it("charges cached input at the cached price and the rest at the input price", () => {
    const model: InferenceModel = {
      id: "deepseek-ai/DeepSeek-V4-Pro",
      object: "model",
      created: 1,
      owned_by: "baseten",
      pricing: { prompt: "0.0000006", completion: "0.0000017", input_cache_read: "0.00000015" },
    };
    const cost = estimateCost(model, { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 100 });
    expect(cost).toEqual({ inputUsd: "0.00036", cachedInputUsd: "0.00006", outputUsd: "0.00017", totalUsd: "0.00059" });
  });

  it.each(["cost_per_million_input_tokens", "cost_per_million_output_tokens"])(
    "reads a catalog row without %s as that price unknown, keeping the other",
    (missing) => {
      const row = { ...modelApi("m", { cost_per_million_input_tokens: "0.6", cost_per_million_output_tokens: "1.7" }) };
      delete (row as Record<string, unknown>)[missing];
      const prices = pricesOf(row);
      expect(prices.inputPerMillion).toBe(missing.includes("input") ? null : "0.6");
      expect(prices.outputPerMillion).toBe(missing.includes("output") ? null : "1.7");
    },
  );

  it("reads catalog prices given as JSON numbers", () => {
    const prices = pricesOf(
      modelApi("m", { cost_per_million_input_tokens: 0.6, cost_per_million_output_tokens: 1.7 }) as never,
    );
    expect(prices).toEqual({ inputPerMillion: "0.6", outputPerMillion: "1.7", cachedInputPerMillion: null });
  });

  it("converts per-token and per-million prices both ways", () => {
    expect(perTokenToPerMillion("0.0000001")).toBe("0.1");
    expect(perMillionToPerToken("0.13")).toBe("0.00000013");
    expect(perMillionToPerToken(2)).toBe("0.000002");
  });

  it("maps Baseten usage to token counts", () => {
    expect(
      tokensFromUsage({
        prompt_tokens: 86,
        completion_tokens: 39,
        total_tokens: 125,
        prompt_tokens_details: { cached_tokens: 64 },
      }),
    ).toEqual({
      inputTokens: 86,
      outputTokens: 39,
      cachedInputTokens: 64,
    });
  });

  it.each([
    [{ inputTokens: -1, outputTokens: 0 }],
    [{ inputTokens: 1.5, outputTokens: 0 }],
    [{ inputTokens: 1, outputTokens: 0, cachedInputTokens: 2 }],
  ])("refuses impossible token counts %j", (tokens) => {
    const prices = { inputPerMillion: "1", outputPerMillion: "1", cachedInputPerMillion: null };
    expect(() => estimateCost(prices, tokens)).toThrow(InvalidArgumentError);
  });
});

describe("rateLimitsPerMinute", () => {
  const none = {
    requestsPerMinute: null,
    tokensPerMinute: null,
    uncachedInputTokensPerMinute: null,
    outputTokensPerMinute: null,
    concurrentRequests: null,
    unrecognised: [],
  };

  it("converts per-second limits and keeps the strictest of each type", () => {
    expect(
      rateLimitsPerMinute([
        { type: "REQUEST", unit: "SECOND", threshold: 2 },
        { type: "REQUEST", unit: "MINUTE", threshold: 100 },
        { type: "TOKEN", unit: "MINUTE", threshold: 100_000 },
      ]),
    ).toEqual({ ...none, requestsPerMinute: 100, tokensPerMinute: 100_000 });
    expect(rateLimitsPerMinute([])).toEqual(none);
  });

  it("keeps all five limit types apart; concurrency is a count, not a rate", () => {
    expect(
      rateLimitsPerMinute([
        { type: "REQUEST", unit: "MINUTE", threshold: 60 },
        { type: "TOKEN", unit: "MINUTE", threshold: 1_000_000 },
        { type: "UNCACHED_INPUT_TOKEN", unit: "SECOND", threshold: 5_000 },
        { type: "OUTPUT_TOKEN", unit: "MINUTE", threshold: 40_000 },
        { type: "CONCURRENT_REQUEST", unit: "SECOND", threshold: 8 },
      ]),
    ).toEqual({
      ...none,
      requestsPerMinute: 60,
      tokensPerMinute: 1_000_000,
      uncachedInputTokensPerMinute: 300_000,
      outputTokensPerMinute: 40_000,
      concurrentRequests: 8,
    });
  });

  it("surfaces a threshold of 0 as 0, the strictest limit", () => {
    const limits = rateLimitsPerMinute([
      { type: "OUTPUT_TOKEN", unit: "MINUTE", threshold: 500 },
      { type: "OUTPUT_TOKEN", unit: "SECOND", threshold: 0 },
      { type: "CONCURRENT_REQUEST", unit: "MINUTE", threshold: 0 },
    ]);
    expect(limits.outputTokensPerMinute).toBe(0);
    expect(limits.concurrentRequests).toBe(0);
  });

  it("reports a type or unit it does not know as received, counting it nowhere", () => {
    const tomorrow = [
      { type: "IMAGE", unit: "MINUTE", threshold: 10 },
      { type: "TOKEN", unit: "HOUR", threshold: 1_000_000 },
      { type: "REQUEST", unit: "constructor", threshold: 1 },
      { type: "toString", unit: "MINUTE", threshold: 1 },
    ];
    const limits = rateLimitsPerMinute([...tomorrow, { type: "REQUEST", unit: "MINUTE", threshold: 15 }]);
    expect(limits).toEqual({ ...none, requestsPerMinute: 15, unrecognised: tomorrow });
  });
});

describe("searchCatalog", () => {
  const catalog: CatalogEntry[] = [
    {
      ...modelApi("deepseek-v4-pro", {
        display_name: "DeepSeek V4 Pro",
        model_family: "DEEPSEEK",
        context_length: 131_072,
        cost_per_million_input_tokens: "0.6",
        cost_per_million_output_tokens: 1.7,
        release_date: "2026-04-01",
      }),
      features: ["tools", "reasoning"],
    },
    {
      ...modelApi("kimi-k2-6", {
        display_name: "Kimi K2.6",
        model_family: "MOONSHOT",
        context_length: 262_144,
        cost_per_million_input_tokens: 0.95,
        cost_per_million_output_tokens: "4",
        release_date: "2026-05-01",
      }),
      features: ["tools", "vision"],
    },
    {
      ...modelApi("gpt-oss-120b", {
        display_name: "OpenAI GPT 120B",
        model_family: "OPENAI",
        context_length: 128_072,
        cost_per_million_input_tokens: "0.1",
        cost_per_million_output_tokens: "0.5",
        release_date: "2025-08-05",
        description: "Strong reasoning",
      }),
      features: ["tools", "reasoning", "json_mode"],
    },
  ];
  const unpriced: CatalogEntry = {
    ...modelApi("a-new-model", { cost_per_million_input_tokens: null, cost_per_million_output_tokens: null }),
    features: ["tools"],
  };

  it("matches every query word in name, display name, description or family", () => {
    expect(searchCatalog(catalog, { query: "deepseek pro" }).items.map((m) => m.name)).toEqual(["deepseek-v4-pro"]);
    expect(searchCatalog(catalog, { query: "STRONG" }).items.map((m) => m.name)).toEqual(["gpt-oss-120b"]);
    expect(searchCatalog(catalog, { query: "nothing-like-this" })).toMatchObject({ items: [], total: 0 });
  });

  it("filters by family, features, context and prices", () => {
    const names = (options: Parameters<typeof searchCatalog>[1]) =>
      searchCatalog(catalog, options).items.map((m) => m.name);
    expect(names({ family: "moonshot" })).toEqual(["kimi-k2-6"]);
    expect(names({ feature: ["tools", "reasoning"] })).toEqual(["deepseek-v4-pro", "gpt-oss-120b"]);
    expect(names({ minContext: 200_000 })).toEqual(["kimi-k2-6"]);
    expect(names({ maxInputPrice: "0.6" })).toEqual(["deepseek-v4-pro", "gpt-oss-120b"]);
    expect(names({ maxOutputPrice: 1.7 })).toEqual(["deepseek-v4-pro", "gpt-oss-120b"]);
  });

  it("orders by price, context and release date in either direction", () => {
    const names = (options: Parameters<typeof searchCatalog>[1]) =>
      searchCatalog(catalog, options).items.map((m) => m.name);
    expect(names({ orderBy: "input_price" })).toEqual(["gpt-oss-120b", "deepseek-v4-pro", "kimi-k2-6"]);
    expect(names({ orderBy: "output_price", direction: "desc" })).toEqual([
      "kimi-k2-6",
      "deepseek-v4-pro",
      "gpt-oss-120b",
    ]);
    expect(names({ orderBy: "context_length" })).toEqual(["gpt-oss-120b", "deepseek-v4-pro", "kimi-k2-6"]);
    expect(names({ orderBy: "release_date", direction: "desc" })).toEqual([
      "kimi-k2-6",
      "deepseek-v4-pro",
      "gpt-oss-120b",
    ]);
  });

  it("never matches a price bound with an unknown price", () => {
    const found = searchCatalog([...catalog, unpriced], { maxInputPrice: "1000000" }).items.map((m) => m.name);
    expect(found).not.toContain("a-new-model");
    expect(searchCatalog([unpriced], { maxOutputPrice: 0 }).total).toBe(0);
    expect(searchCatalog([unpriced], { feature: "tools" }).total).toBe(1);
  });

  it.each(["asc", "desc"] as const)("orders unknown prices last, %s", (direction) => {
    for (const orderBy of ["input_price", "output_price"] as const) {
      const names = searchCatalog([unpriced, ...catalog], { orderBy, direction }).items.map((m) => m.name);
      expect(names.at(-1)).toBe("a-new-model");
      expect(names).toHaveLength(4);
    }
  });

  it("pages with a total across all pages", () => {
    expect(searchCatalog(catalog, { pageSize: 2, page: 2 })).toEqual({
      items: [catalog[1]],
      total: 3,
      page: 2,
      pageSize: 2,
    });
  });

  it.each([
    { page: 0 },
    { pageSize: 0 },
    { pageSize: 1001 },
    { orderBy: "price" },
    { direction: "up" },
    { feature: "telepathy" },
    { maxInputPrice: "cheap" },
    { maxInputPrice: "1e-400000000" },
    { maxOutputPrice: "1e300000000" },
    { minContext: Number.NaN },
    { minContext: -1 },
    { minContext: "big" },
  ])("refuses %j with InvalidArgumentError", (options) => {
    expect(() => searchCatalog(catalog, options as never)).toThrow(InvalidArgumentError);
  });
});
