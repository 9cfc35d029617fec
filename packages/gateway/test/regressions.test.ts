// Behaviours a review found missing; each test failed before its fix.
import { describe, expect, it } from "vitest";
import { harness, spyStore } from "./helpers.ts";
import { answeredOn, CHAT, relayHarness, sseAnswer } from "./relay-helpers.ts";

describe("unknown keys", () => {
  it("cost one upstream call per key per 10 s and no store writes", async () => {
    const store = spyStore();
    let deletes = 0;
    const counting = {
      ...store,
      async delete(key: string) {
        deletes++;
        store.entries.delete(key);
      },
    };
    const h = harness({ stores: [counting] }, { acceptAnyKey: false });
    for (let i = 0; i < 20; i++) expect((await h.get("/v1/model_apis", `junk-${i % 5}`)).status).toBe(401);
    expect(h.upstreamCalls("/v1/model_apis")).toBe(5);
    expect(deletes).toBe(0);
    h.clock.advance(11);
    await h.get("/v1/model_apis", "junk-0");
    expect(h.upstreamCalls("/v1/model_apis")).toBe(6);
  });

  it("evict every entry of a revoked key, the model list included", async () => {
    const store = spyStore();
    const h = harness({ stores: [store], freshSeconds: 60 }, { acceptAnyKey: false });
    await h.get("/v1/model_apis");
    await h.get("/v1/models");
    await h.settle();
    expect(store.entries.size).toBe(2);
    h.clock.advance(61);
    const revoked = harness(
      { stores: [store], now: () => h.clock.now },
      { acceptAnyKey: false, workspaces: [{ keys: ["other"] }] },
    );
    await revoked.get("/v1/model_apis");
    await revoked.settle();
    expect(store.entries.size).toBe(0);
  });
});

describe("relay streams", () => {
  it("completes a /v1/responses stream at response.completed, reading its usage", async () => {
    const body =
      'event: response.created\ndata: {"type":"response.created"}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","response":{"usage":{"input_tokens":7,"output_tokens":3}}}\n\n';
    const h = answeredOn("/v1/responses", () => sseAnswer(body));
    const text = await (
      await h.post("/v1/responses", { model: "openai/gpt-oss-120b", input: "hi", stream: true })
    ).text();
    await h.settle();
    expect(text).toBe(body);
    expect(h.events.find((e) => e.event === "request")).toMatchObject({
      stream_outcome: "complete",
      input_tokens: 7,
      output_tokens: 3,
    });
  });

  it("closes quietly when the upstream keeps the connection open after [DONE]", async () => {
    // The stream never closes after [DONE].
    const open = () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('data: {"choices":[]}\n\ndata: [DONE]\n\n'));
        },
      });
    const h = answeredOn("/v1/chat/completions", () => sseAnswer(open()), { idleTimeoutSeconds: 0.1 });
    const text = await (await h.post("/v1/chat/completions", { ...CHAT, stream: true })).text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    await h.settle();
    expect(h.events.find((e) => e.event === "request")?.stream_outcome).toBe("complete");
  });
});

describe("the model list used to refuse unknown models", () => {
  it("is renewed once stale, and a stale list lets unknown models through", async () => {
    let now = Date.parse("2026-11-01T00:00:00Z");
    const h = relayHarness({ now: () => now, freshSeconds: 60 });
    await h.post("/v1/chat/completions", CHAT);
    await h.settle();
    expect((await h.post("/v1/chat/completions", { ...CHAT, model: "brand/new-model" })).status).toBe(404);
    now += 61_000;
    h.emulator.requests.clear();
    const stale = await h.post("/v1/chat/completions", { ...CHAT, model: "brand/new-model" });
    expect(stale.status).toBe(403); // Baseten decides while the list is stale
    await h.settle();
    expect(h.upstream("/v1/models")).toHaveLength(1); // and the list was renewed
  });
});
