// Quick example (Bun): count the Model API catalog and stream a reply with @baseten-edge/core.
import { createBasetenClient, createInferenceClient } from "@baseten-edge/core";

const apiKey = Bun.env.BASETEN_API_KEY ?? "";
const baseten = createBasetenClient({ apiKey, baseUrl: Bun.env.BASETEN_MANAGEMENT_URL ?? "https://api.baseten.co" });
const inference = createInferenceClient({
  apiKey,
  baseUrl: Bun.env.BASETEN_INFERENCE_URL ?? "https://inference.baseten.co/v1",
});

let count = 0;
for await (const _model of baseten.modelApis.list()) count++;
console.log(`${count} Model APIs`);

const stream = await inference.chat.completions.create({
  model: "openai/gpt-oss-120b",
  stream: true,
  messages: [{ role: "user", content: "Say hello." }],
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
console.log();
