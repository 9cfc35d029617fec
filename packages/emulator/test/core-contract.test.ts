// Contract suite: @baseten-edge/core against the emulator over real HTTP, as users run it.
// (It lives here because the emulator depends on core; core depending back would be a cycle.)
import {
  AuthenticationError,
  type ChatCompletionChunk,
  ConnectionError,
  createBasetenClient,
  createInferenceClient,
  estimateCost,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  rateLimitsPerMinute,
  searchCatalog,
} from "@baseten-edge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorServer, startEmulatorServer } from "../src/node.ts";

let server: EmulatorServer;
beforeAll(async () => {
  server = await startEmulatorServer({ models: 10_000 });
});
afterAll(() => server.close());

const management = (apiKey = "emulator-key") => createBasetenClient({ apiKey, baseUrl: server.url, maxRetries: 0 });
const inference = (apiKey = "emulator-key") =>
  createInferenceClient({ apiKey, baseUrl: `${server.url}/v1`, maxRetries: 0 });
const chat = { model: "openai/gpt-oss-120b", messages: [{ role: "user" as const, content: "Say hello." }] };

describe("core against the emulator", () => {
  it("lists all 10,010 Model APIs across pages, one request per page", async () => {
    server.emulator.requests.clear();
    const names = new Set<string>();
    for await (const model of management().modelApis.list({ limit: 1000 })) names.add(model.name);
    expect(names.size).toBe(10_010);
    expect(server.emulator.requests.list().filter((r) => r.path === "/v1/model_apis")).toHaveLength(11);
  });

  it("meets an unpriced model and every limit type: costs unknown, limits kept apart, nothing thrown", async () => {
    const nemotron = await management().modelApis.get("nemotron-120b-a12b");
    expect(estimateCost(nemotron, { inputTokens: 10, outputTokens: 10 }).totalUsd).toBeNull();
    expect(rateLimitsPerMinute(nemotron.rate_limits)).toEqual({
      requestsPerMinute: 120,
      tokensPerMinute: 200_000,
      uncachedInputTokensPerMinute: 150_000,
      outputTokensPerMinute: 0,
      concurrentRequests: 4,
      unrecognised: [],
    });
    const { items } = await management().modelApis.listPage({ limit: 20 });
    const cheapest = searchCatalog(items, { orderBy: "input_price" }).items.map((m) => m.name);
    expect(cheapest.at(-1)).toBe("nemotron-120b-a12b");
  });

  it("gets one Model API with the workspace's details, by either auth scheme", async () => {
    const bearer = await management().modelApis.get("gpt-oss-120b");
    expect(bearer.org_details?.added_at).toBe("2025-08-06T12:00:00Z");
    const legacy = await createBasetenClient({
      apiKey: "emulator-key",
      authScheme: "Api-Key",
      baseUrl: server.url,
    }).modelApis.get("gpt-oss-120b");
    expect(legacy).toEqual(bearer);
  });

  it("maps the emulator's errors to core's classes", async () => {
    await expect(management().modelApis.get("no-such-model")).rejects.toBeInstanceOf(NotFoundError);
    await expect(management("wrong-key").modelApis.listPage()).rejects.toBeInstanceOf(AuthenticationError);
    const denied = await inference("wrong-key")
      .chat.completions.create(chat)
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect((denied as PermissionDeniedError).message).toBe("403 please check the api-key you provided");
  });

  it("streams a chat completion to [DONE] with running usage", async () => {
    const stream = await inference().chat.completions.create({
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(stream.requestId).toMatch(/\w+/);
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("reports a stream cut off before [DONE] as a ConnectionError", async () => {
    const client = createInferenceClient({
      apiKey: "emulator-key",
      baseUrl: server.url,
      headers: { "x-emulator-fault": "chunks=20; cut-after=5" },
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({ ...chat, stream: true });
    let seen = 0;
    const error = await (async () => {
      for await (const _ of stream) seen++;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(seen).toBeLessThanOrEqual(5);
  });

  it("retries a GET answered 429 with Retry-After, and succeeds", async () => {
    server.emulator.faults.push({ fault: { status: 429, retryAfter: 0 }, times: 1, path: "/v1/model_apis" });
    const client = createBasetenClient({ apiKey: "emulator-key", baseUrl: server.url, maxRetries: 1 });
    const page = await client.modelApis.listPage({ limit: 1 });
    expect(page.items).toHaveLength(1);
  });

  it("gives the 429 and its wait to the caller when retries are off", async () => {
    server.emulator.faults.push({ fault: { status: 429, retryAfter: 7 }, times: 1, path: "/v1/model_apis" });
    const error = await management()
      .modelApis.listPage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(7000);
  });

  it("lists the inference models", async () => {
    const models = await inference().models.list();
    expect(models.map((m) => m.id)).toContain("deepseek-ai/DeepSeek-V4-Pro");
  });
});
