// A catalog name as `model` is renamed to its inference id by replacing that one JSON string's bytes:
// every other byte of the client's body reaches Baseten as it was sent.
import { createEmulator } from "@baseten-edge/emulator";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkBody, withModel } from "../src/relay/request.ts";
import { RELAYED } from "../src/routes/relay.ts";
import { testGateway, waitUntilCollector } from "./helpers.ts";

const NAME = "deepseek-v4-pro";
const ID = "deepseek-ai/DeepSeek-V4-Pro";
const HI = [{ role: "user", content: "Hi" }];
const encode = (text: string) => new TextEncoder().encode(text);

/**
 * Sends `text` to /v1/chat/completions through a gateway and returns the bytes Baseten received;
 * `warm`: after a first request, so the gateway has the model list.
 */
async function sentUpstream(text: string, warm = false): Promise<Uint8Array> {
  const emulator = createEmulator();
  const sent: Uint8Array[] = [];
  const { ctx, settle } = waitUntilCollector();
  const gateway = testGateway(
    async (request, init) => {
      if (request.method === "POST") sent.push(new Uint8Array(await request.clone().arrayBuffer()));
      return emulator.fetch(request, init);
    },
    [],
    {},
  );
  const post = (body: string) =>
    gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body,
      }),
      ctx,
    );
  if (warm) {
    await (await post(JSON.stringify({ model: ID, messages: HI }))).arrayBuffer();
    await settle();
    sent.length = 0;
  }
  const response = await post(text);
  expect(response.status).toBe(200);
  expect(sent).toHaveLength(1);
  return sent[0] as Uint8Array;
}

describe("renaming a catalog name to its inference id", () => {
  it("changes only the bytes of the top-level model string", async () => {
    // What a re-serialisation would change: a big integer, 1e400, 1.0, escapes, spacing, key order.
    const before = `{ "seed" : 12345678901234567890, "temperature":1.0, "top_k": 1e400,\n  "model"  :  `;
    const after = ` ,\n  "messages": [ {"role":"user", "content":"caf\\u00e9 \\ud83d\\ude00 \\/ é"} ], "z": -0.0E+00 }`;
    const upstream = await sentUpstream(`${before}"${NAME}"${after}`);
    expect(upstream).toEqual(encode(`${before}"${ID}"${after}`));
  });

  it("sends the id as listed when the caller wrote it in other letter case", async () => {
    const messages = JSON.stringify(HI);
    const upstream = await sentUpstream(`{"model":"${ID.toUpperCase()}","messages":${messages}}`, true);
    expect(upstream).toEqual(encode(`{"model":"${ID}","messages":${messages}}`));
  });

  it("leaves a nested `model` (in messages, in metadata) alone and replaces only the top-level one", async () => {
    const text = `{"messages": [{"role": "user", "content": "Hi", "model": "${NAME}"}], "metadata": {"model": "${NAME}"}, "model": "${NAME}"}`;
    const upstream = await sentUpstream(text);
    expect(upstream).toEqual(
      encode(
        `{"messages": [{"role": "user", "content": "Hi", "model": "${NAME}"}], "metadata": {"model": "${NAME}"}, "model": "${ID}"}`,
      ),
    );
  });

  it("keeps every other byte and yields the body JSON.parse would give with the new model, for any body", () => {
    const chat = RELAYED.find((r) => r.path === "/v1/chat/completions");
    if (!chat) throw new Error("no chat route");
    // `model` last: pretty-printed, a newline and `}` follow it.
    const body = fc.record({
      messages: fc.array(fc.jsonValue({ maxDepth: 2 })),
      extra: fc.jsonValue({ maxDepth: 2 }),
      model: fc.string({ unit: "binary", minLength: 1 }).filter((m) => m.trim() !== ""),
    });
    fc.assert(
      fc.property(body, fc.string({ unit: "binary" }), fc.integer({ min: 0, max: 2 }), (fields, id, space) => {
        const bytes = encode(JSON.stringify(fields, null, space));
        const checked = checkBody(bytes, chat);
        const renamed = withModel(bytes, checked, id);
        const value = encode(JSON.stringify(id));
        expect(renamed.subarray(0, checked.modelStart)).toEqual(bytes.subarray(0, checked.modelStart));
        expect(renamed.subarray(checked.modelStart + value.length)).toEqual(bytes.subarray(checked.modelEnd));
        // Against the parsed original (not `fields`): JSON has no -0, so `fields` may differ from its own text.
        const original = JSON.parse(new TextDecoder().decode(bytes));
        expect(JSON.parse(new TextDecoder().decode(renamed))).toEqual({ ...original, model: id });
      }),
    );
  });
});
