// The management API: pages, cursors, limits, added_only, single rows, auth — every answer checked against management.json.

import type { ModelApi, ModelApisPage } from "@baseten-edge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_LIMIT_TYPES, createEmulator, DEFAULT_MODELS } from "../src/index.ts";
import { bearer, get, managementValidators } from "./helpers.ts";

let validators: Awaited<ReturnType<typeof managementValidators>>;
beforeAll(async () => {
  validators = await managementValidators();
});

function expectValidPage(body: unknown): asserts body is ModelApisPage {
  const ok = validators.page(body);
  expect(validators.page.errors ?? null, JSON.stringify(validators.page.errors)).toBeNull();
  expect(ok).toBe(true);
}

async function page(path: string, emulator = createEmulator()): Promise<ModelApisPage> {
  const res = await get(emulator, path);
  expect(res.status).toBe(200);
  const body: unknown = await res.json();
  expectValidPage(body);
  return body;
}

describe("the management.json validator", () => {
  it("compiles every component schema of Baseten's whole document", () => {
    expect(validators.names.length).toBeGreaterThan(500);
    for (const name of validators.names) expect(typeof validators.schema(name), name).toBe("function");
  });

  it("rejects rows the spec forbids, so passing it means something", () => {
    const good = {
      name: "x",
      display_name: "X",
      description: "",
      release_date: "2026-01-01",
      invoke_url: "https://i",
      context_length: 1,
      cost_per_million_input_tokens: "0.1",
      cost_per_million_output_tokens: 1,
      rate_limits: [],
    };
    expect(validators.model(good)).toBe(true);
    expect(validators.model({ ...good, cost_per_million_input_tokens: "cheap" })).toBe(false);
    expect(validators.model({ ...good, release_date: "01/02/2026" })).toBe(false);
    expect(validators.model({ ...good, rate_limits: [{ type: "REQUEST", unit: "HOUR", threshold: 1 }] })).toBe(false);
    expect(validators.model({ ...good, org_details: { last_used_at: null } })).toBe(false);
    expect(validators.model({ ...good, rate_limits: [{ type: "TOKEN", unit: "MINUTE", threshold: -1 }] })).toBe(false);
    expect(validators.model({ ...good, rate_limits: [{ type: "IMAGE", unit: "MINUTE", threshold: 1 }] })).toBe(false);
  });

  it("accepts what the whole document allows and the excerpt did not: null prices, five limit types, 0", () => {
    const row = { ...DEFAULT_ROW, cost_per_million_input_tokens: null, cost_per_million_output_tokens: null };
    expect(validators.model({ ...row, rate_limits: ALL_LIMIT_TYPES })).toBe(true);
  });
});

const DEFAULT_ROW = {
  name: "x",
  display_name: "X",
  description: "",
  release_date: "2026-01-01",
  invoke_url: "https://i",
  context_length: 1,
  rate_limits: [],
};

describe("GET /v1/model_apis", () => {
  it("serves a model without pricing (null prices) and one with every limit type, both valid", async () => {
    const { items } = await page("/v1/model_apis");
    const unpriced = items.filter((m) => m.cost_per_million_input_tokens === null);
    expect(unpriced.map((m) => [m.name, m.cost_per_million_output_tokens])).toEqual([["nemotron-120b-a12b", null]]);
    const types = new Set(items.flatMap((m) => m.rate_limits.map((limit) => limit.type)));
    expect(types).toEqual(new Set(["REQUEST", "TOKEN", "CONCURRENT_REQUEST", "UNCACHED_INPUT_TOKEN", "OUTPUT_TOKEN"]));
    expect(items.some((m) => m.rate_limits.some((limit) => limit.threshold === 0))).toBe(true);
  });

  it("lists the ten models of the Model APIs guide by default", async () => {
    const body = await page("/v1/model_apis");
    expect(body.items.map((m) => m.name)).toEqual(DEFAULT_MODELS.map((m) => m.name));
    expect(body.pagination).toEqual({ has_more: false, cursor: null });
  });

  it("converts recorded per-token prices to per-million, as numbers and as decimal strings", async () => {
    const { items } = await page("/v1/model_apis");
    const byName = new Map(items.map((m) => [m.name, m]));
    // gpt-oss-120b: prompt "0.0000001", completion "0.0000005" per token in Warmup.yaml.
    expect(Number(byName.get("gpt-oss-120b")?.cost_per_million_input_tokens)).toBe(0.1);
    expect(Number(byName.get("gpt-oss-120b")?.cost_per_million_output_tokens)).toBe(0.5);
    // deepseek-v4-pro: "0.00000174" → 1.74 exactly, not 1.7399999999999998.
    expect(byName.get("deepseek-v4-pro")?.cost_per_million_input_tokens).toBe("1.74");
    const kinds = new Set(
      items.map((m) => m.cost_per_million_input_tokens).map((p) => (p === null ? "null" : typeof p)),
    );
    expect(kinds).toEqual(new Set(["number", "string", "null"]));
  });

  it("gives every row the real invoke_url, a date and a context length", async () => {
    const { items } = await page("/v1/model_apis");
    for (const item of items) {
      expect(item.invoke_url).toBe("https://inference.baseten.co");
      expect(item.release_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(item.context_length).toBeGreaterThan(100_000);
    }
  });

  it("pages through 10,010 rows with opaque cursors, each page valid and no row twice", async () => {
    const emulator = createEmulator({ models: 10_000 });
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const body = await page(`/v1/model_apis?limit=1000${query}`, emulator);
      for (const item of body.items) seen.add(item.name);
      expect(body.items.length).toBeLessThanOrEqual(1000);
      cursor = body.pagination.cursor ?? null;
      expect(body.pagination.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(seen.size).toBe(10_010);
    expect(pages).toBe(11);
  });

  it("uses 100 rows a page when no limit is given", async () => {
    const body = await page("/v1/model_apis", createEmulator({ models: 500 }));
    expect(body.items).toHaveLength(100);
    expect(body.pagination.has_more).toBe(true);
  });

  it("makes the same synthetic catalog from the same seed and a different one from another seed", async () => {
    const a = await page("/v1/model_apis?limit=1000", createEmulator({ models: 50, seed: 7 }));
    const b = await page("/v1/model_apis?limit=1000", createEmulator({ models: 50, seed: 7 }));
    const c = await page("/v1/model_apis?limit=1000", createEmulator({ models: 50, seed: 8 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it.each([["0"], ["1001"], ["abc"], ["1.5"], ["-3"], [""]])(
    "refuses limit=%s with a 400 error body",
    async (limit) => {
      const res = await get(createEmulator(), `/v1/model_apis?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: expect.stringContaining("limit") });
    },
  );

  it("accepts the limits 1 and 1000 at the edges of the range", async () => {
    const emulator = createEmulator({ models: 2000 });
    expect((await page("/v1/model_apis?limit=1", emulator)).items).toHaveLength(1);
    expect((await page("/v1/model_apis?limit=1000", emulator)).items).toHaveLength(1000);
  });

  it("refuses a tampered cursor with a 400 error body", async () => {
    const emulator = createEmulator({ models: 50 });
    const first = await page("/v1/model_apis?limit=10", emulator);
    const cursor = first.pagination.cursor ?? "";
    const tampered = cursor.slice(0, -2) + (cursor.endsWith("A") ? "BB" : "AA");
    for (const bad of [tampered, "not-a-cursor", "%%%", btoa("v1.5.0.00000000")]) {
      const res = await get(emulator, `/v1/model_apis?limit=10&cursor=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: expect.stringContaining("cursor") });
    }
  });

  it("refuses a cursor from an added_only query on a full-catalog query", async () => {
    const emulator = createEmulator({
      models: 5,
      workspaces: [
        {
          keys: ["k"],
          added: { "glm-5": { added_at: "2026-01-01T00:00:00Z" }, "glm-5-1": { added_at: "2026-01-01T00:00:00Z" } },
        },
      ],
    });
    const res = await get(emulator, "/v1/model_apis?added_only=true&limit=1", bearer("k"));
    const { pagination } = (await res.json()) as ModelApisPage;
    const mismatched = await get(emulator, `/v1/model_apis?limit=1&cursor=${pagination.cursor}`, bearer("k"));
    expect(mismatched.status).toBe(400);
  });

  it("restricts the list to the workspace's added models with added_only=true", async () => {
    const body = await page("/v1/model_apis?added_only=true");
    expect(body.items.map((m) => m.name).sort()).toEqual(["deepseek-v4-pro", "gpt-oss-120b"]);
    expect(body.items.every((m) => m.org_details !== null)).toBe(true);
  });

  it("treats added_only=false like no filter and refuses added_only=maybe", async () => {
    expect((await page("/v1/model_apis?added_only=false")).items).toHaveLength(10);
    const res = await get(createEmulator(), "/v1/model_apis?added_only=maybe");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("added_only") });
  });
});

describe("GET /v1/model_apis/{model_api_name}", () => {
  it("answers one row, valid against ModelAPIV1, with the workspace overlay", async () => {
    const res = await get(createEmulator(), "/v1/model_apis/gpt-oss-120b");
    expect(res.status).toBe(200);
    const body = (await res.json()) as ModelApi;
    expect(validators.model(body)).toBe(true);
    expect(body.org_details).toEqual({ added_at: "2025-08-06T12:00:00Z", last_used_at: "2026-05-01T08:30:00Z" });
    expect(body.rate_limits).toContainEqual({ type: "REQUEST", unit: "MINUTE", threshold: 120 });
  });

  it("answers every default and synthetic row valid against ModelAPIV1", async () => {
    const emulator = createEmulator({ models: 25 });
    const { items } = await page("/v1/model_apis?limit=1000", emulator);
    for (const item of items) {
      const res = await get(emulator, `/v1/model_apis/${item.name}`);
      const body = await res.json();
      expect(validators.model(body), item.name).toBe(true);
      expect(body).toEqual(item);
    }
  });

  it("answers 404 with an error body for an unknown name", async () => {
    const res = await get(createEmulator(), "/v1/model_apis/no-such-model");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.stringContaining("no-such-model") });
  });

  it("answers a malformed percent-escape with the same 404 as an unknown name", async () => {
    const res = await get(createEmulator(), "/v1/model_apis/%E0%A4%A");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Model API "%E0%A4%A" not found' });
  });
});

describe("management auth", () => {
  it("accepts both Authorization: Bearer and the legacy Authorization: Api-Key", async () => {
    const emulator = createEmulator();
    expect((await get(emulator, "/v1/model_apis", { authorization: "Bearer emulator-key" })).status).toBe(200);
    expect((await get(emulator, "/v1/model_apis", { authorization: "Api-Key emulator-key" })).status).toBe(200);
  });

  it.each([
    ["no header", {}],
    ["an unknown key", { authorization: "Bearer wrong" }],
    ["an unknown scheme", { authorization: "Basic emulator-key" }],
    ["x-api-key alone", { "x-api-key": "emulator-key" }],
  ])("answers 401 with an error body for %s", async (_, headers) => {
    const res = await get(createEmulator(), "/v1/model_apis", headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });
});
