// Type-level tests: `pnpm typecheck` fails if a wrong field or path compiles.
import { describe, expectTypeOf, it } from "vitest";
import {
  type ChatCompletion,
  type ChatCompletionStream,
  type CostEstimate,
  createBasetenClient,
  createInferenceClient,
  estimateCost,
  type ModelApi,
  type PerMinuteLimits,
  type RateLimit,
  rateLimitsPerMinute,
} from "../src/index.ts";

const fetch = async () => new Response("{}");
const baseten = createBasetenClient({ apiKey: "k", fetch });
const inference = createInferenceClient({ apiKey: "k", fetch });
const messages = [{ role: "user" as const, content: "hi" }];

describe("types", () => {
  it("types catalog rows from the management spec", () => {
    expectTypeOf<ModelApi["cost_per_million_input_tokens"]>().toEqualTypeOf<number | string | null>();
    expectTypeOf<ModelApi["context_length"]>().toEqualTypeOf<number>();
    expectTypeOf(baseten.modelApis.get).returns.resolves.toEqualTypeOf<ModelApi>();
  });

  it("types prices as possibly unknown and costs as possibly unknown", () => {
    expectTypeOf<ModelApi["cost_per_million_output_tokens"]>().toEqualTypeOf<number | string | null>();
    expectTypeOf<CostEstimate["totalUsd"]>().toEqualTypeOf<string | null>();
    expectTypeOf(estimateCost).returns.toEqualTypeOf<CostEstimate>();
  });

  it("types all five limit types and still accepts tomorrow's", () => {
    expectTypeOf<RateLimit["type"]>().toEqualTypeOf<
      "REQUEST" | "TOKEN" | "CONCURRENT_REQUEST" | "UNCACHED_INPUT_TOKEN" | "OUTPUT_TOKEN"
    >();
    expectTypeOf(
      rateLimitsPerMinute([{ type: "GPU_SECOND", unit: "HOUR", threshold: 1 }]),
    ).toEqualTypeOf<PerMinuteLimits>();
    expectTypeOf<PerMinuteLimits["concurrentRequests"]>().toEqualTypeOf<number | null>();
  });

  it("types the paths core wraps in raw", () => {
    const call = baseten.raw.GET("/v1/model_apis/{model_api_name}", { params: { path: { model_api_name: "m" } } });
    expectTypeOf(call).resolves.toHaveProperty("data").toEqualTypeOf<ModelApi | undefined>();
  });

  it("returns a stream only for stream: true", () => {
    expectTypeOf(
      inference.chat.completions.create({ model: "m", messages, stream: true }),
    ).resolves.toEqualTypeOf<ChatCompletionStream>();
    expectTypeOf(inference.chat.completions.create({ model: "m", messages })).resolves.toEqualTypeOf<ChatCompletion>();
  });

  it("rejects wrong fields and paths at compile time", () => {
    // Only checked by the compiler; never run.
    const never = (): void => {
      // @ts-expect-error `limit` is a number
      void baseten.modelApis.listPage({ limit: "10" });
      // @ts-expect-error no such option
      void baseten.modelApis.list({ addedOnyl: true });
      // @ts-expect-error no such path in the management spec
      void baseten.raw.GET("/v1/model_api");
      // @ts-expect-error a path of the management document core does not type (see scripts/generate.ts)
      void baseten.raw.GET("/v1/models");
      // @ts-expect-error prices may be null: a caller must handle the unknown case
      const price: number | string = ({} as ModelApi).cost_per_million_input_tokens;
      void price;
      // @ts-expect-error `model_api_name` is required
      void baseten.raw.GET("/v1/model_apis/{model_api_name}", { params: { path: {} } });
      // @ts-expect-error `messages` is required
      void inference.chat.completions.create({ model: "m" });
      // @ts-expect-error `top_k` is a number
      void inference.chat.completions.create({ model: "m", messages, top_k: "20" });
      // @ts-expect-error `context_length` is a number, not a string
      const length: string = ({} as ModelApi).context_length;
      void length;
    };
    void never;
  });
});
