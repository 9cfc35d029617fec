// Usage and billing: `GET /v1/model_apis/usage` and `GET /v1/billing/model_apis` answer from the inference
// replies the emulator made, per model and day, at catalog prices — every answer checked against management.json.
import { beforeAll, describe, expect, it } from "vitest";
import { createEmulator } from "../src/index.ts";
import { bearer, CHAT, get, managementValidators, post } from "./helpers.ts";

let validators: Awaited<ReturnType<typeof managementValidators>>;
beforeAll(async () => {
  validators = await managementValidators();
});

const GPT = "openai/gpt-oss-120b";

function clocked(start = "2026-11-02T10:00:30Z") {
  const clock = { now: Date.parse(start) };
  const emulator = createEmulator({ acceptAnyKey: true, now: () => clock.now });
  return { emulator, clock };
}

async function valid(response: Response, schema: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(200);
  const body: unknown = await response.json();
  const validate = validators.schema(schema);
  const ok = validate(body);
  expect(validate.errors ?? null, JSON.stringify(validate.errors)).toBeNull();
  expect(ok).toBe(true);
  return body as Record<string, unknown>;
}

type UsageBody = {
  items: { start_time: string; end_time: string; results: Record<string, unknown>[] }[];
  pagination: { has_more: boolean; cursor: string | null };
};
type CostBody = {
  items: { date: string; results: Record<string, unknown>[] }[];
  pagination: { has_more: boolean; cursor: string | null };
};

/** Sends a chat completion and returns the usage it reported. */
async function chat(emulator: ReturnType<typeof createEmulator>, key = "team.secret-1", model = GPT, stream = false) {
  const response = await post(emulator, "/v1/chat/completions", { ...CHAT, model, stream }, bearer(key));
  expect(response.status).toBe(200);
  const text = await response.text();
  const last = stream
    ? text
        .split("\n\n")
        .filter((b) => b.includes('"usage":{'))
        .at(-1)
    : text;
  const body = JSON.parse(stream ? (last ?? "").slice("data: ".length) : text) as {
    usage: { prompt_tokens: number; completion_tokens: number };
  };
  return body.usage;
}

describe("GET /v1/model_apis/usage", () => {
  it("sums the tokens each reply reported, per model and day, in contiguous buckets with no gaps", async () => {
    const { emulator, clock } = clocked();
    const a = await chat(emulator);
    const b = await chat(emulator, "team.secret-1", GPT, true);
    const c = await chat(emulator, "team.secret-1", "zai-org/GLM-4.7");
    clock.now += 86_400_000;
    const d = await chat(emulator);
    const response = await get(
      emulator,
      "/v1/model_apis/usage?start_time=2026-11-01T00:00:00Z",
      bearer("team.secret-1"),
    );
    const body = (await valid(response, "ModelApisUsageResponseV1")) as UsageBody;
    expect(body.items.map((i) => [i.start_time, i.end_time])).toEqual([
      ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"],
      ["2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"],
      ["2026-11-03T00:00:00Z", "2026-11-04T00:00:00Z"],
    ]);
    expect(body.items[0]?.results).toEqual([]);
    const gpt = body.items[1]?.results.find((r) => r.model === GPT);
    expect(gpt).toEqual({
      api_key_prefix: null,
      user_id: null,
      model: GPT,
      input_tokens: a.prompt_tokens + b.prompt_tokens,
      cached_input_tokens: 0,
      uncached_input_tokens: a.prompt_tokens + b.prompt_tokens,
      output_tokens: a.completion_tokens + b.completion_tokens,
      request_count: 2,
    });
    expect(body.items[1]?.results.find((r) => r.model === "zai-org/GLM-4.7")?.output_tokens).toBe(c.completion_tokens);
    expect(body.items[2]?.results).toMatchObject([
      { model: GPT, output_tokens: d.completion_tokens, request_count: 1 },
    ]);
    expect(body.pagination).toEqual({ has_more: false, cursor: null });
  });

  it("keeps each workspace's usage to itself", async () => {
    const { emulator } = clocked();
    await chat(emulator, "team.secret-1");
    const other = await get(emulator, "/v1/model_apis/usage?start_time=2026-11-02T00:00:00Z", bearer("other.secret"));
    const body = (await valid(other, "ModelApisUsageResponseV1")) as UsageBody;
    expect(body.items).toHaveLength(1);
    expect(body.items[0]?.results).toEqual([]);
  });

  it("groups by API key prefix and filters by model; pages follow the cursor", async () => {
    const { emulator } = clocked();
    await chat(emulator, "team.secret-1");
    await chat(emulator, "team.secret-1", "zai-org/GLM-4.7");
    const query = "start_time=2026-11-02T09:00:00Z&bucket_width=1h&limit=1&group_by=api_key&models=openai/gpt-oss-120b";
    const first = (await valid(
      await get(emulator, `/v1/model_apis/usage?${query}`, bearer("team.secret-1")),
      "ModelApisUsageResponseV1",
    )) as UsageBody;
    expect(first.items).toEqual([
      { start_time: "2026-11-02T09:00:00Z", end_time: "2026-11-02T10:00:00Z", results: [] },
    ]);
    expect(first.pagination.has_more).toBe(true);
    const next = `/v1/model_apis/usage?${query}&cursor=${first.pagination.cursor}`;
    const second = (await valid(
      await get(emulator, next, bearer("team.secret-1")),
      "ModelApisUsageResponseV1",
    )) as UsageBody;
    expect(second.items[0]?.results).toMatchObject([{ api_key_prefix: "team", model: null, request_count: 1 }]);
    expect(second.pagination).toEqual({ has_more: false, cursor: null });
  });

  it("answers 400 for a missing start_time, an unknown width or dimension, and a bad cursor; 401 without a key", async () => {
    const { emulator } = clocked();
    for (const query of [
      "",
      "start_time=2026-11-02T00:00:00Z&bucket_width=1w",
      "start_time=2026-11-02T00:00:00Z&group_by=team",
      "start_time=2026-11-02T00:00:00Z&limit=32",
      "cursor=forged",
    ]) {
      const response = await get(emulator, `/v1/model_apis/usage?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
    expect((await get(emulator, "/v1/model_apis/usage?start_time=2026-11-02T00:00:00Z", {})).status).toBe(401);
  });
});

describe("GET /v1/billing/model_apis", () => {
  it("bills each day's replies at the catalog prices, exactly, per model or as the organisation's total", async () => {
    const { emulator } = clocked();
    const a = await chat(emulator);
    const b = await chat(emulator, "team.secret-1", "zai-org/GLM-4.7");
    const gptUsd = (a.prompt_tokens * 1 + a.completion_tokens * 5) / 1e7; // $0.10 / $0.50 per million
    const glmUsd = (b.prompt_tokens * 6 + b.completion_tokens * 22) / 1e7; // $0.60 / $2.20 per million
    const byModel = (await valid(
      await get(emulator, "/v1/billing/model_apis?group_by=model", bearer("team.secret-1")),
      "ModelApisCostsResponseV1",
    )) as CostBody;
    // Defaults: from yesterday to the end of today.
    expect(byModel.items.map((i) => i.date)).toEqual(["2026-11-01", "2026-11-02"]);
    expect(byModel.items[0]?.results).toEqual([]);
    const results = byModel.items[1]?.results ?? [];
    expect(results.map((r) => r.model)).toEqual([GPT, "zai-org/GLM-4.7"]);
    expect(Number(results[0]?.subtotal)).toBeCloseTo(gptUsd, 12);
    expect(Number(results[1]?.subtotal)).toBeCloseTo(glmUsd, 12);
    expect(results[0]).toMatchObject({ api_key_prefixes: null, user_id: null, service_tier: null });
    const total = (await valid(
      await get(emulator, "/v1/billing/model_apis?start_date=2026-11-02", bearer("team.secret-1")),
      "ModelApisCostsResponseV1",
    )) as CostBody;
    expect(total.items).toHaveLength(1);
    expect(Number(total.items[0]?.results[0]?.subtotal)).toBeCloseTo(gptUsd + glmUsd, 12);
    expect(total.items[0]?.results[0]?.model).toBeNull();
  });

  it("pages days with a cursor and refuses ranges Baseten refuses", async () => {
    const { emulator } = clocked();
    await chat(emulator);
    const first = (await valid(
      await get(emulator, "/v1/billing/model_apis?start_date=2026-10-30&limit=2", bearer("team.secret-1")),
      "ModelApisCostsResponseV1",
    )) as CostBody;
    expect(first.items.map((i) => i.date)).toEqual(["2026-10-30", "2026-10-31"]);
    const next = `/v1/billing/model_apis?start_date=2026-10-30&limit=2&cursor=${first.pagination.cursor}`;
    const second = (await valid(
      await get(emulator, next, bearer("team.secret-1")),
      "ModelApisCostsResponseV1",
    )) as CostBody;
    expect(second.items.map((i) => [i.date, i.results.length])).toEqual([
      ["2026-11-01", 0],
      ["2026-11-02", 1],
    ]);
    expect(second.pagination.has_more).toBe(false);
    for (const query of [
      "start_date=2026-08-04",
      "start_date=2026-08-05&end_date=2026-11-30",
      "limit=0",
      "group_by=team",
    ]) {
      expect((await get(emulator, `/v1/billing/model_apis?${query}`)).status, query).toBe(400);
    }
  });
});
