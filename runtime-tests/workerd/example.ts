// Quick example (Cloudflare Workers): answer with the Model API names, read with @baseten-edge/core.
import { createBasetenClient } from "@baseten-edge/core";

interface Env {
  BASETEN_API_KEY: string;
  BASETEN_MANAGEMENT_URL?: string;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const baseten = createBasetenClient({
      apiKey: env.BASETEN_API_KEY,
      baseUrl: env.BASETEN_MANAGEMENT_URL ?? "https://api.baseten.co",
    });
    const names: string[] = [];
    for await (const model of baseten.modelApis.list()) names.push(model.name);
    return Response.json({ count: names.length, names });
  },
};
