// workerd: `/` is the quick example; `/__checks` runs the core-client checks and answers their outcome as JSON.
import * as core from "@baseten-edge/core";
import { checkOptionsFromEnv, clientChecks } from "../shared/client-checks.ts";
import example from "./example.ts";

type Env = Record<string, string | undefined> & { BASETEN_API_KEY: string };

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname !== "/__checks") return example.fetch(request, env);
    try {
      return Response.json({
        ok: true,
        checks: await clientChecks(
          core,
          checkOptionsFromEnv((name) => env[name]),
        ),
      });
    } catch (error) {
      return Response.json({ ok: false, error: String(error) }, { status: 500 });
    }
  },
};
