// Answers the relay cannot pass on as they are (a bodiless status; a throw after admission): each is
// still answered in the route's protocol, logged once, and settled, so a key's slot is never held.
import { describe, expect, it } from "vitest";
import { chat, MODEL } from "./limits-fixtures.ts";
import { type Answer, keyedRelayHarness } from "./relay-helpers.ts";

/** A gateway whose key allows one request in flight, and whose upstream first gives `answers`. */
const limitedHarness = (answers: Answer[]) => keyedRelayHarness({ name: "one", concurrent: 1 }, answers);

const MESSAGES = { model: MODEL, max_tokens: 64, messages: [{ role: "user", content: "Hi" }] };

/** Checks the key's one slot is free again: the next request is admitted and relayed. */
async function slotIsFree(h: Awaited<ReturnType<typeof limitedHarness>>) {
  await h.settle();
  const next = await h.post("/v1/chat/completions", chat());
  expect(next.status).toBe(200);
}

describe("a bodiless answer from Baseten", () => {
  it.each([204, 205])("passes on a %i without a body, logs it once, and frees the key's slot", async (status) => {
    const h = await limitedHarness([() => new Response(null, { status, headers: { "x-baseten-request-id": "r-1" } })]);
    const response = await h.post("/v1/chat/completions", chat());
    expect(response.status).toBe(status);
    expect(response.body).toBeNull();
    expect(response.headers.get("x-baseten-request-id")).toBe("r-1");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await h.settle();
    expect(h.requestEvents()).toEqual([expect.objectContaining({ status, upstream_request_id: "r-1" })]);
    await slotIsFree(h);
  });

  it("answers a 304 as a 502 in OpenAI's shape, logs it once, and frees the key's slot", async () => {
    const h = await limitedHarness([() => new Response(null, { status: 304 })]);
    const response = await h.post("/v1/chat/completions", chat());
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: { message: "Baseten answered with an unexpected status 304.", type: "api_error", param: null, code: null },
    });
    await h.settle();
    expect(h.requestEvents()).toEqual([expect.objectContaining({ status: 502 })]);
    await slotIsFree(h);
  });

  it("answers a 304 as a 502 in Anthropic's shape on /v1/messages", async () => {
    const h = await limitedHarness([() => new Response(null, { status: 304 })]);
    const response = await h.post("/v1/messages", MESSAGES);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "api_error", message: "Baseten answered with an unexpected status 304." },
    });
    await h.settle();
    expect(h.requestEvents()).toHaveLength(1);
  });
});

/** An answer whose `ok` throws: stands for any bug after admission (core's retry loop never reads `ok`). */
class Throwing extends Response {
  override get ok(): boolean {
    throw new TypeError("secret detail sk-not-for-clients");
  }
}

describe("a throw after admission", () => {
  it("is answered in the route's shape without its message, logged once, and frees the key's slot", async () => {
    const h = await limitedHarness([() => new Throwing("{}", { status: 200 })]);
    const response = await h.post("/v1/messages", MESSAGES);
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toContain("sk-not-for-clients");
    expect(JSON.parse(text)).toEqual({ type: "error", error: { type: "api_error", message: expect.any(String) } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await h.settle();
    expect(h.requestEvents()).toEqual([expect.objectContaining({ status: 502 })]);
    expect(JSON.stringify(h.events)).not.toContain("sk-not-for-clients");
    await slotIsFree(h);
  });
});
