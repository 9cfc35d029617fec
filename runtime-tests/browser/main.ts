// Browser: the core-client checks, bundled with esbuild; the page's origin proxies to the emulator (it sends no CORS headers).
import * as core from "@baseten-edge/core";
import { clientChecks } from "../shared/client-checks.ts";

/** Called by the matrix through Playwright. */
(globalThis as { runChecks?: (catalogSize: number) => Promise<string[]> }).runChecks = (catalogSize) =>
  clientChecks(core, { baseUrl: location.origin, apiKey: "emulator-key", catalogSize });
