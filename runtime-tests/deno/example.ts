// Quick example (Deno): count the Model API catalog and stream a reply with @baseten-edge/core.
import { createBasetenClient, createInferenceClient } from "@baseten-edge/core";

const apiKey = Deno.env.get("BASETEN_API_KEY") ?? "";
const baseten = createBasetenClient({
  apiKey,
  baseUrl: Deno.env.get("BASETEN_MANAGEMENT_URL") ?? "https://api.baseten.co",
});
const inference = createInferenceClient({
  apiKey,
  baseUrl: Deno.env.get("BASETEN_INFERENCE_URL") ?? "https://inference.baseten.co/v1",
});

let count = 0;
for await (const _model of baseten.modelApis.list()) count++;
console.log(`${count} Model APIs`);

const stream = await inference.chat.completions.create({
  model: "openai/gpt-oss-120b",
  stream: true,
  messages: [{ role: "user", content: "Say hello." }],
});
for await (const chunk of stream)
  await Deno.stdout.write(new TextEncoder().encode(chunk.choices[0]?.delta?.content ?? ""));
console.log();
