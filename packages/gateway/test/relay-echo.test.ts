// The relay's refusals quote the caller's `model` clipped to MAX_ECHO characters, like every other
// echo of caller input: a 256-character model (the longest accepted) does not come back whole.
import { describe, expect, it } from "vitest";
import { MAX_ECHO } from "../src/echo.ts";
import { MAX_MODEL_LENGTH } from "../src/relay/limits.ts";
import { CHAT, keyedRelayHarness, relayHarness } from "./relay-helpers.ts";

/** The message's quoted part, decoded: what it echoes of the model. */
function quoted(message: string): string {
  const match = /model ("(?:[^"\\]|\\.)*")/.exec(message);
  if (!match?.[1]) throw new Error(`no quoted model in ${JSON.stringify(message.slice(0, 200))}`);
  return JSON.parse(match[1]) as string;
}

describe("a refused model's echo", () => {
  it.each([
    ["control characters", "\u0001"],
    ["quotes", '"'],
  ])("clips an unknown model of 256 %s in the 404", async (_name, char) => {
    const h = relayHarness();
    await h.post("/v1/chat/completions", CHAT); // learns the caller's model list
    await h.settle();
    const model = char.repeat(MAX_MODEL_LENGTH);
    const response = await h.post("/v1/chat/completions", { ...CHAT, model });
    expect(response.status).toBe(404);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(quoted(error.message)).toBe(`${char.repeat(MAX_ECHO)}…`);
  });

  it("clips a model a gateway key may not use in the 403", async () => {
    const h = await keyedRelayHarness({ name: "narrow", models: ["gpt-oss-120b"] });
    // A slash, and no list cached yet: the relay lets the limits decide about it.
    const model = `x/${'"'.repeat(MAX_MODEL_LENGTH - 2)}`;
    const response = await h.post("/v1/chat/completions", { ...CHAT, model });
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: { message: string; code: string } };
    expect(error.code).toBe("model_not_allowed");
    expect(quoted(error.message)).toBe(`${model.slice(0, MAX_ECHO)}…`);
  });
});
