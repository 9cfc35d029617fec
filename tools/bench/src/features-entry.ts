// The Worker `features.ts` builds once per variant (and, with `--node`, calls in Node): it relays `?n=`
// chat completions (JSON) through the gateway in a loop inside one request, against an upstream in
// memory, so what is measured is the gateway's JavaScript and the runtime calls it makes, without the
// network.
// `?op=base` does the same loop without the gateway: the Request built, the upstream's answer read.
// `?op=check` runs it through the minimal checking relay instead (checking-relay.ts), for reference.
import { createGateway, type Gateway, gatewayOptionsFromEnv } from "@baseten-edge/gateway";
import { checkingRelay } from "./checking-relay.ts";

const MODEL = "openai/gpt-oss-120b";
const body = JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say hi" }] });
const answer = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion",
  model: MODEL,
  choices: [{ index: 0, message: { role: "assistant", content: "lorem ipsum ".repeat(100) }, finish_reason: "stop" }],
  usage: { prompt_tokens: 2, completion_tokens: 256, total_tokens: 258, prompt_tokens_details: { cached_tokens: 0 } },
});
const models = JSON.stringify({
  object: "list",
  data: [{ id: MODEL, object: "model", created: 0, owned_by: "baseten", pricing: { input: 0.1, output: 0.5 } }],
});
// The headers the emulator answers a chat completion with (what the response-header firewall sorts).
const answerHeaders = {
  "content-type": "application/json",
  vary: "Origin",
  "x-baseten-accepted-at": "1795398292260",
  "x-baseten-model-id": "qq40pk5v",
  "x-baseten-model-prediction-attempts": "1",
  "x-baseten-model-version-id": "zy1d00h",
  "x-baseten-request-id": "318266fbaac705c0fb4e5ed2f8222af94f02b",
  "x-baseten-session-id": "318266fbaac705c0fb4e5ed2f8222af94f02b",
  date: "Mon, 23 Nov 2026 01:44:52 GMT",
};

async function upstream(request: Request): Promise<Response> {
  if (new URL(request.url).pathname === "/v1/models") {
    return new Response(models, { headers: { "content-type": "application/json" } });
  }
  await request.arrayBuffer();
  return new Response(answer, { headers: answerHeaders });
}

const chatRequest = () =>
  new Request("http://gateway/v1/chat/completions", {
    method: "POST",
    headers: {
      authorization: "Bearer bench-key",
      "content-type": "application/json",
      "content-length": `${body.length}`,
    },
    body,
  });

let gateway: Gateway | undefined;
const checking = checkingRelay(upstream, "http://upstream");
const pending: Promise<unknown>[] = [];
const context = { waitUntil: (promise: Promise<unknown>) => void pending.push(promise) };

export default {
  async fetch(request: Request, env: Record<string, string>): Promise<Response> {
    // LOG=console: each request event becomes one console.log line, as the Worker writes it.
    const log = env.LOG === "console" ? (event: unknown) => console.log(JSON.stringify(event)) : () => {};
    gateway ??= createGateway(
      gatewayOptionsFromEnv(
        { ...env, BASETEN_MANAGEMENT_URL: "http://upstream", BASETEN_INFERENCE_URL: "http://upstream" },
        { fetch: upstream, log },
      ),
    );
    const relay = gateway;
    const url = new URL(request.url);
    const calls = Number(url.searchParams.get("n") ?? "1");
    const op = url.searchParams.get("op");
    const send =
      op === "base" ? upstream : op === "check" ? checking : (request: Request) => relay.fetch(request, context);
    let status = 0;
    for (let call = 0; call < calls; call++) {
      const response = await send(chatRequest());
      status = response.status;
      await response.arrayBuffer();
    }
    await Promise.all(pending.splice(0));
    return new Response(String(status));
  },
};
