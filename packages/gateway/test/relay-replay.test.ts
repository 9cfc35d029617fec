// Every recorded exchange with Baseten, replayed by the emulator, must reach the client byte for byte;
// recorded errors arrive with their status and Baseten's message, in the route's protocol.
import { fileURLToPath } from "node:url";
import { parseErrorBody } from "@baseten-edge/core/internal";
import { createEmulator } from "@baseten-edge/emulator";
import { loadCassetteDir } from "@baseten-edge/emulator/node";
import { describe, expect, it } from "vitest";
import { createGateway } from "../src/index.ts";
import { SALT } from "./helpers.ts";

const fixtures = fileURLToPath(new URL("../../emulator/fixtures/", import.meta.url));
const cassettes = await loadCassetteDir(fixtures);
const relayed = cassettes.filter((c) => c.interactions.some((i) => i.request.method === "POST"));

describe("relay of the recorded exchanges", () => {
  it("has recordings to relay", () => {
    expect(relayed.length).toBeGreaterThanOrEqual(60);
  });

  it.each(relayed.map((c) => [c.name, c] as const))("relays %s byte for byte", async (_, cassette) => {
    const emulator = createEmulator({ cassettes: [cassette] });
    // No waitUntil: the gateway learns no model list, so even the bad-model recording goes upstream.
    const gateway = createGateway({
      auth: { mode: "pass-through" },
      cacheSalt: SALT,
      inferenceUrl: "http://baseten.test",
      fetch: (r) => emulator.fetch(r),
    });
    for (const { request, response } of cassette.interactions.filter((i) => i.request.method === "POST")) {
      const path = new URL(request.url).pathname;
      const answer = await gateway.fetch(
        new Request(`http://gateway.test${path}`, {
          method: "POST",
          headers: { authorization: "Bearer recorded-key", "content-type": "application/json" },
          body: request.body,
        }),
      );
      expect(answer.status).toBe(response.code);
      if (response.code < 400) expect(await answer.text()).toBe(response.body);
      else {
        const message = parseErrorBody(JSON.parse(response.body)).message;
        expect(message).toEqual(expect.any(String));
        // These recordings are all on OpenAI's route: OpenAI's error shape, Baseten's words.
        expect(path).toBe("/v1/chat/completions");
        expect(await answer.json()).toEqual({
          error: { message, type: expect.any(String), param: null, code: expect.toBeOneOf([null, expect.any(String)]) },
        });
      }
      for (const [name, values] of Object.entries(response.headers)) {
        if (/^x-baseten-/i.test(name)) expect(answer.headers.get(name)).toBe(values.join(", "));
      }
    }
  });
});
