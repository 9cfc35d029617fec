// The core-client checks every runtime runs against the emulator (web APIs only: also for workerd and browsers).
// The core module is passed in, so this file resolves nothing itself and runs from any folder.
import type * as Core from "@baseten-edge/core";

export interface ClientCheckOptions {
  /** The emulator's root URL (or a same-origin proxy to it). */
  baseUrl: string;
  apiKey: string;
  /** How many Model APIs the emulator serves (10 real ones + `--models`). */
  catalogSize: number;
}

/** Runs the checks; throws on the first failure, else returns what was checked. */
export async function clientChecks(
  core: typeof Core,
  { baseUrl, apiKey, catalogSize }: ClientCheckOptions,
): Promise<string[]> {
  const done: string[] = [];
  const check = (condition: boolean, message: string) => {
    if (!condition) throw new Error(`check failed: ${message}`);
  };

  let pages = 0;
  const counting: Core.FetchLike = (request, init) => {
    if (new URL(request.url).pathname === "/v1/model_apis") pages++;
    return fetch(request, init);
  };
  const baseten = core.createBasetenClient({ apiKey, baseUrl, fetch: counting, maxRetries: 0 });
  const names = new Set<string>();
  for await (const model of baseten.modelApis.list({ limit: 100 })) names.add(model.name);
  check(names.size === catalogSize, `listed ${names.size} distinct Model APIs, expected ${catalogSize}`);
  check(
    pages === Math.ceil(catalogSize / 100),
    `listing took ${pages} pages, expected ${Math.ceil(catalogSize / 100)}`,
  );
  done.push(`lists ${catalogSize} Model APIs across ${pages} pages`);

  const one = await baseten.modelApis.get("gpt-oss-120b");
  check(one.name === "gpt-oss-120b", `get returned ${JSON.stringify(one.name)}`);
  done.push("gets one Model API");

  const denied = core.createInferenceClient({ apiKey: "not-a-valid-key", baseUrl: `${baseUrl}/v1`, maxRetries: 0 });
  const outcome = await denied.chat.completions
    .create({ model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "hi" }] })
    .then(
      () => null,
      (error: unknown) => error,
    );
  check(
    outcome instanceof core.PermissionDeniedError,
    `a bad key gave ${String(outcome)}, expected a PermissionDeniedError`,
  );
  check((outcome as Core.PermissionDeniedError).status === 403, "PermissionDeniedError.status is 403");
  done.push("maps a 403 to PermissionDeniedError");

  done.push(await streamChat(core, `${baseUrl}/v1`, apiKey));
  return done;
}

/** Streams one chat completion to `[DONE]`; used against the emulator and the gateway's relay. */
export async function streamChat(core: typeof Core, inferenceUrl: string, apiKey: string): Promise<string> {
  const inference = core.createInferenceClient({ apiKey, baseUrl: inferenceUrl, maxRetries: 0 });
  const stream = await inference.chat.completions.create({
    model: "openai/gpt-oss-120b",
    stream: true,
    messages: [{ role: "user", content: "Say hello." }],
  });
  let chunks = 0;
  let text = "";
  // The iterator throws a ConnectionError unless the stream reaches `data: [DONE]`.
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  if (chunks < 2 || text.length === 0)
    throw new Error(`check failed: streamed ${chunks} chunks, ${text.length} characters`);
  return `streams a chat completion to [DONE] (${chunks} chunks)`;
}

/** Reads the check options the matrix passes to every runtime as environment variables. */
export function checkOptionsFromEnv(get: (name: string) => string | undefined): ClientCheckOptions {
  const baseUrl = get("EMULATOR_URL");
  if (!baseUrl) throw new Error("EMULATOR_URL is not set: run this through runtime-tests/run.ts.");
  return { baseUrl, apiKey: get("EMULATOR_KEY") ?? "emulator-key", catalogSize: Number(get("CATALOG_SIZE") ?? "10") };
}
