// Edges of the relay: a client that leaves before the upstream call, a whole answer that is late or cut,
// what it logs about a failed upstream call, count_tokens under a key, a stream's media type in any case.
import { ConnectionError } from "@baseten-edge/core";
import { parseFaults } from "@baseten-edge/emulator";
import { describe, expect, it } from "vitest";
import { ConfigurationError, createGateway } from "../src/index.ts";
import { failureLabel } from "../src/relay/relay.ts";
import { SALT } from "./helpers.ts";
import { answeredOn, CHAT, keyedRelayHarness, relayHarness } from "./relay-helpers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a client that leaves before anything is sent", () => {
  it("gets a 499 and Baseten gets no request, when it leaves while the model list loads", async () => {
    const h: ReturnType<typeof relayHarness> = relayHarness({
      // The model list takes 200 ms: a catalog name (no slash) waits for it before anything is sent.
      fetch: async (request, init) => {
        if (new URL(request.url).pathname === "/v1/models") await sleep(200);
        return h.emulator.fetch(request, init);
      },
    });
    const aborter = new AbortController();
    setTimeout(() => aborter.abort(), 50);
    const response = await h.post("/v1/chat/completions", { ...CHAT, model: "gpt-oss-120b" }, {}, aborter.signal);
    expect(response.status).toBe(499);
    await h.settle();
    await sleep(50);
    expect(h.upstream("/v1/chat/completions")).toEqual([]);
    expect(h.events.find((e) => e.event === "request")).toMatchObject({ status: 499 });
  });
});

describe("a gateway key's request whose client left before anything was sent", () => {
  it("is released at no charge: no request, tokens or spend counted", async () => {
    const h = await keyedRelayHarness({ name: "capped", daily_usd: "1" }, [], (request) =>
      new URL(request.url).pathname === "/v1/models" ? 200 : 0,
    );
    const aborter = new AbortController();
    setTimeout(() => aborter.abort(), 50);
    // A catalog name waits for the model list (200 ms here); the client leaves meanwhile.
    const response = await h.send(
      "POST",
      "/v1/chat/completions",
      h.key,
      { ...CHAT, model: "gpt-oss-120b" },
      {
        signal: aborter.signal,
      },
    );
    expect(response.status).toBe(499);
    await h.settle();
    expect(h.upstreamCalls("/v1/chat/completions")).toBe(0);
    const usage = (await (await h.send("GET", "/v1/usage", h.key)).json()) as { today: Record<string, unknown> };
    expect(usage.today).toMatchObject({ requests: 0, output_tokens: 0, usd: "0" });
  });
});

describe("a non-streamed answer whose body is slow or cut", () => {
  it("answers 504 when the body does not arrive in full within the idle time", async () => {
    const h = relayHarness({ idleTimeoutSeconds: 0.3 });
    h.emulator.faults.push({
      fault: parseFaults("slow-body=100; slow-body-bytes=40"),
      times: 1,
      path: "/v1/chat/completions",
    });
    const response = await h.post("/v1/chat/completions", CHAT);
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      "Baseten's answer did not arrive in full within 300 ms.",
    );
  });

  it("answers 502 when the body breaks off", async () => {
    const h = relayHarness();
    h.emulator.faults.push({ fault: parseFaults("cut-after=40"), times: 1, path: "/v1/chat/completions" });
    const response = await h.post("/v1/chat/completions", CHAT);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/broke off/);
  });

  it("logs 499, not Baseten's fault, when the client leaves while the body arrives", async () => {
    const h = relayHarness();
    h.emulator.faults.push({
      fault: parseFaults("slow-body=100; slow-body-bytes=40"),
      times: 1,
      path: "/v1/chat/completions",
    });
    const aborter = new AbortController();
    const pending = h.post("/v1/chat/completions", CHAT, {}, aborter.signal);
    await sleep(250);
    aborter.abort();
    expect((await pending).status).toBe(499);
    await h.settle();
    expect(h.events.find((e) => e.event === "request")).toMatchObject({ status: 499 });
    expect(h.upstream("/v1/chat/completions")[0]?.cancelledAt).toEqual(expect.any(Number));
  });
});

describe("what the relay says about a failed upstream call", () => {
  it("logs the error's name and system code, never its message", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" });
    const wrapped = new ConnectionError("Connection error: https://user:pw@host/", {
      cause: new TypeError("fetch failed", { cause: refused }),
    });
    expect(failureLabel(wrapped)).toBe("ConnectionError ECONNREFUSED");
    expect(failureLabel(new TypeError("Request cannot be constructed from https://u:secret@x/"))).toBe("TypeError");
    expect(failureLabel("a string")).toBe("unknown");
  });

  it.each(["https://proxyuser:PROXY-PASSWORD-123@inference.example", "ftp://inference.example", "not a url"])(
    "refuses %s as the inference URL without repeating it",
    (inferenceUrl) => {
      const make = () => createGateway({ auth: { mode: "pass-through" }, cacheSalt: SALT, inferenceUrl });
      expect(make).toThrow(ConfigurationError);
      expect(make).toThrow(/^inferenceUrl \(BASETEN_INFERENCE_URL\) must/);
      expect(make).not.toThrow(/PROXY-PASSWORD|inference\.example|not a url/);
    },
  );
});

describe("count_tokens under a gateway key", () => {
  const COUNT = { model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "Hi" }] };

  it("refuses a model the key may not use, and counts toward its request rate, with nothing sent", async () => {
    const h = await keyedRelayHarness({ name: "narrow", models: ["deepseek-ai/DeepSeek-V4-Pro"], rpm: 1 });
    const refused = await h.post("/v1/messages/count_tokens", COUNT);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
    expect(h.upstreamCalls("/v1/messages/count_tokens")).toBe(0);
    const allowed = { ...COUNT, model: "deepseek-ai/DeepSeek-V4-Pro" };
    // Baseten does not serve the route: its 404 passes, and the request counts toward rpm 1.
    expect((await h.post("/v1/messages/count_tokens", allowed)).status).toBe(404);
    await h.settle();
    expect((await h.post("/v1/messages/count_tokens", allowed)).status).toBe(429);
    expect(h.upstreamCalls("/v1/messages/count_tokens")).toBe(1);
  });
});

describe("an upstream stream's media type", () => {
  it("is a stream in any letter case: one that ends early still gets the error event", async () => {
    const h = answeredOn(
      "/v1/chat/completions",
      () =>
        new Response('data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n', {
          headers: { "content-type": "Text/Event-Stream; charset=UTF-8" },
        }),
    );
    const text = await (await h.post("/v1/chat/completions", { ...CHAT, stream: true })).text();
    expect(text).toMatch(/\n\ndata: \{"error":\{"message":"The upstream stream ended before the answer was complete/);
    await h.settle();
    expect(h.events.find((e) => e.event === "request")?.stream_outcome).toBe("truncated");
  });
});
