// GET /v1/models and /v1/models/{id}: OpenAI's shapes by default, Anthropic's for Anthropic clients, 404s in the caller's shape.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { RenderMemo } from "../src/http-cache.ts";
import { anthropicPage } from "../src/models.ts";
import { harness, spyStore } from "./helpers.ts";
import { relayHarness } from "./relay-helpers.ts";

const KEY = { authorization: "Bearer emulator-key" };
const ANTHROPIC = { "x-api-key": "emulator-key", "anthropic-version": "2023-06-01" };

function get(h: ReturnType<typeof relayHarness>, path: string, headers: Record<string, string> = KEY) {
  return h.gateway.fetch(new Request(`http://gateway.test${path}`, { headers }));
}

describe("GET /v1/models/{id}", () => {
  it.each(["openai/gpt-oss-120b", "openai%2Fgpt-oss-120b", "OpenAI/GPT-OSS-120B"])(
    "answers %s with the model's entry from the list",
    async (id) => {
      const h = relayHarness();
      const response = await get(h, `/v1/models/${id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: "openai/gpt-oss-120b", object: "model", owned_by: "baseten" });
    },
  );

  it("asks the upstream for the list once, then answers from the cache", async () => {
    const h = relayHarness();
    await get(h, "/v1/models/openai/gpt-oss-120b");
    await get(h, "/v1/models/zai-org/GLM-4.7");
    await get(h, "/v1/models");
    expect(h.upstream("/v1/models")).toHaveLength(1);
  });

  it("answers an unknown id with a 404 in OpenAI's shape", async () => {
    const response = await get(relayHarness(), "/v1/models/nobody/nothing");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: expect.stringContaining('"nobody/nothing"'),
        type: "not_found_error",
        param: null,
        code: "model_not_found",
      },
    });
  });

  it("answers Anthropic clients with Anthropic's ModelInfo and not_found_error", async () => {
    const h = relayHarness();
    const found = await get(h, "/v1/models/zai-org/GLM-4.7", ANTHROPIC);
    expect(await found.json()).toEqual({
      type: "model",
      id: "zai-org/GLM-4.7",
      display_name: "GLM 4.7",
      created_at: "2025-12-23T17:02:23Z",
    });
    const missing = await get(h, "/v1/models/nobody/nothing", ANTHROPIC);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: expect.stringContaining("nobody/nothing") },
    });
  });

  it("answers a missing key in the caller's shape", async () => {
    const h = relayHarness();
    const openai = await get(h, "/v1/models/openai/gpt-oss-120b", {});
    expect(openai.status).toBe(401);
    expect(await openai.json()).toMatchObject({ error: { type: "authentication_error" } });
    const anthropic = await get(h, "/v1/models", { "anthropic-version": "2023-06-01" });
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });
});

describe("wrong methods on /v1/models", () => {
  it.each([
    ["an OpenAI client", KEY, { error: expect.objectContaining({ type: "invalid_request_error" }) }],
    [
      "an Anthropic client",
      ANTHROPIC,
      { type: "error", error: expect.objectContaining({ type: "invalid_request_error" }) },
    ],
  ])("answer %s 405 with Allow, in its own shape", async (_who, headers, shape) => {
    const h = relayHarness();
    for (const path of ["/v1/models", "/v1/models/openai/gpt-oss-120b"]) {
      const response = await h.gateway.fetch(new Request(`http://gateway.test${path}`, { method: "POST", headers }));
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
      expect(await response.json()).toEqual(shape);
    }
    expect(h.upstream("/v1/models")).toHaveLength(0);
  });
});

describe("GET /v1/models/{id} with hostile ids", () => {
  it("answers any id, however encoded or long, with a bounded 4xx from the cache and no 5xx", async () => {
    const h = relayHarness();
    await get(h, "/v1/models");
    const before = h.upstream("/v1/models").length;
    const id = fc.oneof(fc.string({ unit: "binary", maxLength: 5000 }), fc.string({ maxLength: 300 }));
    await fc.assert(
      fc.asyncProperty(id, fc.boolean(), async (raw, anthropicClient) => {
        if (raw === "") return;
        const response = await get(h, `/v1/models/${encodeURIComponent(raw)}`, anthropicClient ? ANTHROPIC : KEY);
        const text = await response.text();
        expect([200, 400, 404]).toContain(response.status);
        expect(text.length).toBeLessThanOrEqual(600);
      }),
      { numRuns: 500 },
    );
    expect(h.upstream("/v1/models")).toHaveLength(before);
  }, 30_000); // 500 requests of up to 15 KB of path: about 1 s alone, far more on a busy 2-core CI machine
});

describe("GET /v1/models for Anthropic clients", () => {
  it("pages 20 models by default, and the next page from after_id", async () => {
    const h = relayHarness({}, { models: 30 });
    const all = ((await (await get(h, "/v1/models")).json()) as { data: { id: string }[] }).data;
    expect(all.length).toBeGreaterThan(40);
    const first = (await (await get(h, "/v1/models", ANTHROPIC)).json()) as {
      data: { id: string }[];
      has_more: boolean;
      last_id: string;
    };
    expect(first.data).toHaveLength(20);
    expect(first.has_more).toBe(true);
    const after = encodeURIComponent(first.last_id);
    const second = (await (await get(h, `/v1/models?after_id=${after}`, ANTHROPIC)).json()) as {
      data: { id: string }[];
    };
    expect(second.data).toHaveLength(20);
    expect(second.data.some((m) => first.data.some((seen) => seen.id === m.id))).toBe(false);
  });

  it("lists newest first, with has_more, first_id and last_id", async () => {
    const response = await get(relayHarness(), "/v1/models", ANTHROPIC);
    const body = (await response.json()) as {
      data: { id: string; type: string; created_at: string }[];
      has_more: boolean;
      first_id: string;
      last_id: string;
    };
    expect(body.data).toHaveLength(19);
    expect(body.has_more).toBe(false);
    expect(body.first_id).toBe(body.data[0]?.id);
    expect(body.last_id).toBe(body.data.at(-1)?.id);
    const dates = body.data.map((m) => m.created_at);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(response.headers.get("vary")).toContain("Anthropic-Version");
  });

  it("pages forward with after_id and back with before_id", async () => {
    const h = relayHarness();
    const page = async (query: string) =>
      (await (await get(h, `/v1/models?${query}`, ANTHROPIC)).json()) as {
        data: { id: string }[];
        has_more: boolean;
        last_id: string;
        first_id: string;
      };
    const all = (await page("limit=1000")).data.map((m) => m.id);
    const first = await page("limit=7");
    expect(first.data.map((m) => m.id)).toEqual(all.slice(0, 7));
    expect(first.has_more).toBe(true);
    const second = await page(`limit=7&after_id=${encodeURIComponent(first.last_id)}`);
    expect(second.data.map((m) => m.id)).toEqual(all.slice(7, 14));
    const back = await page(`limit=3&before_id=${encodeURIComponent(second.first_id)}`);
    expect(back.data.map((m) => m.id)).toEqual(all.slice(4, 7));
    expect(back.has_more).toBe(true);
  });

  it.each(["limit=0", "limit=1001", "limit=x", "after_id=nobody", "after_id=a&before_id=b"])(
    "answers %s with invalid_request_error",
    async (query) => {
      const response = await get(relayHarness(), `/v1/models?${query}`, ANTHROPIC);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    },
  );

  it("keeps OpenAI's list for everyone else", async () => {
    const body = (await (await get(relayHarness(), "/v1/models")).json()) as { object: string; data: unknown[] };
    expect(body.object).toBe("list");
    expect(body.data).toHaveLength(19);
  });

  it("pages an empty list without ids", () => {
    const page = anthropicPage([], new URLSearchParams());
    expect(page).toEqual({ ok: true, limit: 20, body: { data: [], has_more: false, first_id: null, last_id: null } });
  });
});

describe("a model list with entries the gateway cannot read", () => {
  const good = { id: "zai-org/GLM-4.7", object: "model", created: 1_766_509_343, owned_by: "baseten", name: "GLM 4.7" };
  const dropped = [{ object: "model", created: 1_766_509_343, owned_by: "baseten" }, null, { id: 7 }];
  const repaired = [
    { id: "acme/no-created", object: "model", owned_by: "baseten" },
    { id: "acme/far-future", object: "model", created: 1e20, owned_by: "baseten" },
    { id: "acme/odd-name", object: "model", created: 1, owned_by: "baseten", name: 7 },
    { id: "acme/odd-features", object: "model", created: 1, owned_by: "baseten", supported_features: "tools" },
    { id: "acme/odd-modalities", object: "model", created: 1, owned_by: "baseten", input_modalities: [1] },
    { id: "acme/odd-price", object: "model", created: 1, owned_by: "baseten", pricing: { prompt: "free" } },
  ];

  it("drops entries without an id, keeps the others without their unreadable fields, and serves every route", async () => {
    const h = harness();
    h.upstream.answer = (request) =>
      new URL(request.url).pathname === "/v1/models"
        ? Response.json({ object: "list", data: [...dropped, ...repaired, good] })
        : undefined;
    const list = await h.get("/v1/models", "emulator-key", ANTHROPIC);
    expect(list.status).toBe(200);
    const ids = ((await list.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids.sort()).toEqual([...repaired.map((m) => m.id), good.id].sort());
    const noCreated = await h.get("/v1/models/acme/no-created", "emulator-key", ANTHROPIC);
    expect(noCreated.status).toBe(200);
    expect(await noCreated.json()).toMatchObject({ id: "acme/no-created", created_at: "1970-01-01T00:00:00Z" });
    expect((await h.get("/v1/models/acme/odd-name")).status).toBe(200);
    expect((await h.get("/v1/models/zai-org/GLM-4.7", "emulator-key", ANTHROPIC)).status).toBe(200);
    const search = await h.get("/api/models/list?query=glm-4-7");
    expect(search.status).toBe(200);
    const { items } = (await search.json()) as { items: { id: string; base_model_id: string | null }[] };
    expect(items.find((item) => item.id === "glm-4-7")?.base_model_id).toBe(good.id);
    expect((await h.get("/")).status).toBe(200);
    expect(h.events.filter((e) => e.event === "models_unreadable")).toEqual([
      { event: "models_unreadable", dropped: dropped.length, repaired: repaired.length, kept: repaired.length + 1 },
    ]);
  });

  it("still relays to a model whose listed entry had unreadable fields, with its cost unknown", async () => {
    const h = harness();
    h.upstream.answer = (request) =>
      new URL(request.url).pathname === "/v1/models" ? Response.json({ object: "list", data: repaired }) : undefined;
    await h.get("/v1/models");
    const relayed = await h.gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { ...KEY, "content-type": "application/json" },
        body: JSON.stringify({ model: "acme/odd-price", messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    // Forwarded (Baseten decides about the model), not refused by the gateway as unlisted.
    await relayed.text();
    const sent = h.emulator.requests.list().filter((r) => r.path === "/v1/chat/completions");
    expect(sent).toHaveLength(1);
    expect(relayed.headers.get("x-baseten-edge-cost-usd")).toBeNull();
  });
});

describe("a model list a store holds from another version", () => {
  it("is checked as a load is: one this version cannot read is reloaded, not served", async () => {
    // An entry written before its checks (an older deployment, another isolate) that the routes cannot read.
    const store = spyStore();
    const first = harness({ stores: [store] });
    await first.get("/v1/models");
    await first.settle();
    const [key, stored] = [...store.entries][0]!;
    const models = JSON.parse(stored.value) as Record<string, unknown>[];
    delete models[0]!.created;
    delete models[1]!.id;
    store.entries.set(key, { ...stored, value: JSON.stringify(models) });
    const h = harness({ stores: [store], now: () => first.clock.now });
    const anthropic = await h.get("/v1/models", "emulator-key", ANTHROPIC);
    expect(anthropic.status).toBe(200);
    expect(((await anthropic.json()) as { data: unknown[] }).data).toHaveLength(models.length);
    expect(h.upstreamCalls("/v1/models")).toBe(1);
    expect(h.events).toContainEqual({
      event: "store_error",
      store: "spy",
      operation: "check",
      error: "UnreadableEntryError",
    });
    await h.settle();
    // The reload replaced it: the next isolate reads it from the store without asking the upstream.
    const next = harness({ stores: [store], now: () => first.clock.now });
    expect((await next.get("/v1/models/nobody/nothing")).status).toBe(404);
    expect(next.upstreamCalls("/v1/models")).toBe(0);
  });

  it("is read as it was stored when this version can read it", async () => {
    const store = spyStore();
    const first = harness({ stores: [store] });
    await first.get("/v1/models");
    await first.settle();
    const h = harness({ stores: [store], now: () => first.clock.now });
    expect((await h.get("/v1/models")).status).toBe(200);
    expect(h.upstreamCalls("/v1/models")).toBe(0);
    expect(h.events.filter((e) => e.event === "store_error")).toEqual([]);
  });
});

describe("a model route's unexpected failure", () => {
  it("is a 500 in the caller's protocol, naming nothing internal", async () => {
    const h = harness();
    // A fault inside the route, after the list is loaded: the answer's memo throws.
    vi.spyOn(RenderMemo.prototype, "rendered").mockImplementation(() => {
      throw new Error("a fault with internal details");
    });
    try {
      const anthropic = await h.get("/v1/models", "emulator-key", ANTHROPIC);
      expect(anthropic.status).toBe(500);
      expect(await anthropic.json()).toEqual({
        type: "error",
        error: { type: "api_error", message: "Internal gateway error." },
      });
      const openai = await h.get("/v1/models/openai/gpt-oss-120b");
      expect(openai.status).toBe(500);
      expect(await openai.json()).toEqual({
        error: { message: "Internal gateway error.", type: "api_error", param: null, code: null },
      });
      expect(h.events.filter((e) => e.event === "internal_error")).toHaveLength(2);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
