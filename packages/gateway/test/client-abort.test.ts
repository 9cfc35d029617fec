// A client that leaves mid-upload is logged as what it is: one `request` event with 499, no internal error.
import { expect, it } from "vitest";
import { relayHarness } from "./relay-helpers.ts";

it("answers and logs an upload that breaks off as 499 in the route's shape, with the request event", async () => {
  for (const path of ["/v1/chat/completions", "/v1/messages"]) {
    const h = relayHarness();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"model":"openai/gpt-oss-120b","messages":[{"role":"user",'));
        controller.error(new Error("socket closed by the client"));
      },
    });
    const response = await h.gateway.fetch(
      new Request(`http://gateway.test${path}`, {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(499);
    const answer = (await response.json()) as Record<string, unknown>;
    if (path === "/v1/messages") expect(answer.type).toBe("error");
    else expect((answer.error as { code: string }).code).toBe("client_closed_request");
    expect(h.events.filter((e) => e.event === "internal_error")).toEqual([]);
    expect(h.events.filter((e) => e.event === "request").map((e) => [e.status, e.route])).toEqual([[499, path]]);
    expect(h.upstream(path)).toHaveLength(0);
  }
});
