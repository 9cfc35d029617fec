import { ConnectionError, createBasetenClient, type ModelApi } from "@baseten-edge/core";
import { parseFaults } from "@baseten-edge/emulator";
import { describe, expect, it } from "vitest";
import { errorName } from "../src/routes/errors.ts";
import { harness } from "./helpers.ts";

describe("catalog routes", () => {
  it("lets the core client list and get exactly what the emulator serves", async () => {
    const h = harness({}, { models: 2_500 });
    const direct = createBasetenClient({
      apiKey: "emulator-key",
      baseUrl: "http://baseten.test",
      fetch: (r, init) => h.emulator.fetch(r, init),
    });
    const viaGateway = createBasetenClient({
      apiKey: "emulator-key",
      baseUrl: "http://gateway.test",
      fetch: (r) => h.gateway.fetch(r),
    });
    const all = async (client: typeof direct) => {
      const rows: ModelApi[] = [];
      for await (const row of client.modelApis.list({ limit: 1000 })) rows.push(row);
      return rows;
    };
    const [expected, actual] = [await all(direct), await all(viaGateway)];
    expect(actual).toHaveLength(2_510);
    expect(actual).toEqual(expected);
    const added = async (client: typeof direct) => {
      const rows: ModelApi[] = [];
      for await (const row of client.modelApis.list({ addedOnly: true, limit: 1 })) rows.push(row);
      return rows;
    };
    expect(await added(viaGateway)).toEqual(await added(direct));
    expect(await viaGateway.modelApis.get("gpt-oss-120b")).toEqual(await direct.modelApis.get("gpt-oss-120b"));
  });

  it("answers unknown names with 404 in Baseten's error shape", async () => {
    const h = harness();
    const response = await h.get("/v1/model_apis/no-such-model");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'Model API not found: "no-such-model".' });
  });

  it("serves the inference model list in OpenAI's list shape", async () => {
    const h = harness();
    const body = (await (await h.get("/v1/models")).json()) as { object: string; data: { id: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toContain("openai/gpt-oss-120b");
  });

  it("answers /healthz without calling the upstream", async () => {
    const h = harness();
    const response = await h.get("/healthz", null);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("answers unknown routes with 404 and wrong methods with 405, as JSON", async () => {
    const h = harness();
    const missing = await h.get("/v2/nothing");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "No such route: GET /v2/nothing." });
    const wrong = await h.gateway.fetch(
      new Request("http://g/v1/model_apis", { method: "DELETE", headers: { authorization: "Bearer emulator-key" } }),
    );
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("answers a path with one more trailing slash as not found, and sends nothing upstream", async () => {
    const h = harness();
    // GET /v1/models/. reaches the gateway as /v1/models/ (URLs drop a "." segment): not the list.
    for (const path of ["/v1/models/.", "/v1/model_apis/"]) {
      const response = await h.get(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/^No such route: GET \/v1\//) });
    }
    const relayed = await h.gateway.fetch(
      new Request("http://g/v1/chat/completions/", {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-oss-120b", messages: [] }),
      }),
    );
    expect(relayed.status).toBe(404);
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("asks for a key when none is sent, in pass-through mode", async () => {
    const h = harness();
    const response = await h.get("/v1/model_apis", null);
    expect(response.status).toBe(401);
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("forwards the caller's auth scheme to Baseten", async () => {
    const sent: (string | null)[] = [];
    const h = harness({
      fetch: (request, init) => {
        sent.push(request.headers.get("authorization"));
        return h.emulator.fetch(request, init);
      },
    });
    await h.gateway.fetch(
      new Request("http://g/v1/model_apis", { headers: { authorization: "Api-Key emulator-key" } }),
    );
    await h.gateway.fetch(new Request("http://g/v1/models", { headers: { authorization: "bearer emulator-key" } }));
    expect(sent).toEqual(["Api-Key emulator-key", "Bearer emulator-key"]);
  });
});

describe("bad input", () => {
  const cases = [
    "/v1/model_apis/..",
    "/v1/model_apis/%2e%2e",
    "/v1/model_apis/a%2Fb",
    "/v1/model_apis/a/b",
    "/v1/model_apis/%00x",
    `/v1/model_apis/${"a".repeat(300)}`,
    "/v1/model_apis?limit=0",
    "/v1/model_apis?limit=1001",
    "/v1/model_apis?limit=ten",
    "/v1/model_apis?limit=1e3",
    "/v1/model_apis?added_only=maybe",
    "/v1/model_apis?cursor=bogus",
    "/v1/model_apis?cursor=1.f.AAAAAAAAAAAAAAAAAAAAAA",
    "/api/models/list?feature=telepathy",
    "/api/models/list?max_input_price=cheap",
    "/api/models/list?page=two",
  ];

  it.each(cases)("answers %s with a 4xx JSON error and no upstream request", async (path) => {
    const h = harness();
    const response = await h.get(path);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ error: expect.any(String) });
    expect(h.upstreamCalls("/")).toBe(0);
  });
});

describe("search", () => {
  it("lists models in the seed's {items, total} shape, 30 a page, newest first by default", async () => {
    const h = harness({}, { models: 40 });
    const body = (await (await h.get("/api/models/list")).json()) as {
      items: { id: string; created_at: number }[];
      total: number;
    };
    expect(body.total).toBe(50);
    expect(body.items).toHaveLength(30);
    const created = body.items.map((i) => i.created_at);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const second = (await (await h.get("/api/models/list?page=2")).json()) as { items: unknown[] };
    expect(second.items).toHaveLength(20);
  });

  it("filters by query, tag, feature, context and price, and orders by price", async () => {
    const h = harness();
    const ids = async (query: string) =>
      ((await (await h.get(`/api/models/list?${query}`)).json()) as { items: { id: string }[] }).items.map((i) => i.id);
    expect(await ids("query=kimi&order_by=name&direction=asc")).toEqual(["kimi-k2-5", "kimi-k2-6"]);
    const vision = await ids("feature=vision");
    expect(vision.length).toBeGreaterThan(0);
    expect(vision.every((id) => id.startsWith("kimi"))).toBe(true);
    expect(await ids("tag=vision")).toEqual(vision);
    const cheap = await ids("max_input_price=0.2&order_by=input_price&direction=asc");
    expect(cheap[0]).toBe("gpt-oss-120b");
    expect(await ids("min_context=250000")).toEqual(expect.arrayContaining(["kimi-k2-5", "kimi-k2-6"]));
  });

  it("never matches a price bound with a model whose price is unknown, and orders it last both ways", async () => {
    const h = harness();
    const ids = async (query: string) =>
      ((await (await h.get(`/api/models/list?${query}`)).json()) as { items: { id: string }[] }).items.map((i) => i.id);
    // nemotron-120b-a12b has null prices in the emulator's catalog, as Baseten sends for unpriced models.
    expect(await ids("order_by=name")).toContain("nemotron-120b-a12b");
    expect(await ids("max_input_price=1000000")).not.toContain("nemotron-120b-a12b");
    expect(await ids("max_output_price=1000000")).not.toContain("nemotron-120b-a12b");
    for (const order of ["input_price", "output_price"]) {
      for (const direction of ["asc", "desc"]) {
        expect((await ids(`order_by=${order}&direction=${direction}`)).at(-1)).toBe("nemotron-120b-a12b");
      }
    }
  });

  it("describes each model with every field of seed 004's item and the catalog row", async () => {
    const h = harness();
    const body = (await (await h.get("/api/models/list?query=gpt-oss")).json()) as { items: Record<string, unknown>[] };
    expect(body.items[0]).toEqual({
      id: "gpt-oss-120b",
      user_id: "baseten",
      base_model_id: "openai/gpt-oss-120b",
      name: "OpenAI GPT 120B",
      params: {},
      meta: {
        profile_image_url: "/static/favicon.png",
        description: expect.any(String),
        capabilities: expect.objectContaining({
          tools: true,
          reasoning: true,
          vision: false,
          function_calling: true,
          usage: true,
          web_search: false,
        }),
        tags: expect.arrayContaining([{ name: "OPENAI" }, { name: "tools" }]),
      },
      access_grants: [],
      is_active: true,
      write_access: false,
      user: { id: "baseten", name: "Baseten", email: "" },
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
      model: expect.objectContaining({ name: "gpt-oss-120b" }),
    });
  });

  it("gives every catalog model its inference id and seed 003's capabilities", async () => {
    const h = harness();
    const body = (await (await h.get("/api/models/list")).json()) as {
      items: { id: string; base_model_id: string; meta: { capabilities: Record<string, boolean> } }[];
    };
    expect(body.items).toHaveLength(10);
    for (const item of body.items) {
      expect(item.base_model_id, item.id).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(item.meta.capabilities).toMatchObject({ tools: true, structured_outputs: true, json_mode: true });
    }
    const vision = body.items.filter((i) => i.meta.capabilities.vision).map((i) => i.id);
    expect(vision.sort()).toEqual(["kimi-k2-5", "kimi-k2-6"]);
  });

  it("answers without base_model_id while the model list fails, and lets no cache keep that answer", async () => {
    const h = harness({ freshSeconds: 60 });
    h.upstream.answer = (request) =>
      new URL(request.url).pathname === "/v1/models" ? Response.json({ error: "down" }, { status: 500 }) : undefined;
    const degraded = await h.get("/api/models/list?query=gpt-oss");
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get("cache-control")).toBe("no-store");
    expect(await degraded.json()).toMatchObject({ items: [{ id: "gpt-oss-120b", base_model_id: null }] });
    // Back: the next request has the list, and a normal lifetime.
    delete h.upstream.answer;
    const whole = await h.get("/api/models/list?query=gpt-oss");
    expect(whole.headers.get("cache-control")).toBe("private, max-age=60");
    expect(await whole.json()).toMatchObject({ items: [{ id: "gpt-oss-120b", base_model_id: "openai/gpt-oss-120b" }] });
  });

  it("searches base_model_id too", async () => {
    const h = harness();
    const ids = async (query: string) =>
      ((await (await h.get(`/api/models/list?${query}`)).json()) as { items: { id: string }[] }).items.map((i) => i.id);
    expect(await ids("query=moonshotai")).toEqual(expect.arrayContaining(["kimi-k2-5", "kimi-k2-6"]));
    expect(await ids("query=zai-org%2FGLM-5.1")).toEqual(["glm-5-1"]);
  });

  it("treats the parameters Open WebUI's front end sends as its backend does", async () => {
    const h = harness();
    const get = async (query: string) =>
      (await (await h.get(`/api/models/list?${query}`)).json()) as { items: { id: string }[]; total: number };
    const all = await get("");
    // Empty values are absent; page < 1 is page 1; unknown order_by / direction / parameters fall back.
    expect(await get("query=&view_option=&tag=&order_by=&direction=&page=1")).toEqual(all);
    expect(await get("page=0")).toEqual(all);
    expect(await get("page=-3")).toEqual(all);
    expect(await get("order_by=weight&direction=sideways&nonsense=1")).toEqual(all);
    expect(await get("view_option=shared")).toEqual(all);
    expect(await get("view_option=created")).toEqual({ items: [], total: 0 });
  });

  it("passes Baseten's own error texts on for the catalog (401, 429)", async () => {
    const h = harness({}, {});
    const refused = await h.get("/v1/model_apis", "not-a-key");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "invalid API key" });
    // Retry-After 0: core retries the GET at once, meets the 429 again and gives up.
    h.emulator.faults.push({ fault: parseFaults("status=429; retry-after=0"), times: 5, path: "/v1/model_apis" });
    const limited = await h.get("/v1/model_apis", "emulator-key");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("0");
    expect(await limited.json()).toEqual({ error: "rate limit exceeded" });
  });

  it("ignores unknown parameters on the catalog routes, without splitting the cache", async () => {
    const h = harness();
    const plain = await h.get("/v1/model_apis?limit=5");
    const busted = await h.get("/v1/model_apis?limit=5&_=1700000000&utm_source=x");
    expect(busted.status).toBe(200);
    expect(await busted.text()).toBe(await plain.text());
    expect(busted.headers.get("etag")).toBe(plain.headers.get("etag"));
    const one = await h.get("/v1/model_apis/gpt-oss-120b?cachebust=1");
    expect(one.status).toBe(200);
    expect(h.upstreamCalls("/v1/model_apis")).toBe(1);
  });
});

describe("errorName", () => {
  it("keeps core's messages, which never carry keys", () => {
    expect(errorName(new ConnectionError("Connection error: fetch failed"))).toBe(
      "ConnectionError: Connection error: fetch failed",
    );
  });

  it("logs only the name of a runtime's error, whose message may quote a header value", () => {
    const thrown = new TypeError('Headers.set: "Bearer sk-live-SECRET\nx" is an invalid header value.');
    expect(errorName(thrown)).toBe("TypeError");
    expect(errorName("a string")).toBe("unknown error");
  });
});
