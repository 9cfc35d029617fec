// The bench's upstream: the emulator's Node server in its own process, with streamed chat answers forced to a fixed shape.
import { parseArgs } from "node:util";
import { DEFAULT_API_KEY } from "@baseten-edge/emulator";
import { startEmulatorServer } from "@baseten-edge/emulator/node";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "0" },
    chunks: { type: "string", default: "64" },
    "chunk-delay": { type: "string", default: "0" },
    "model-rpm": { type: "string" },
  },
  strict: true,
});
const chunks = Number(values.chunks);
const chunkDelayMs = Number(values["chunk-delay"]);

// The relay does not forward x-emulator-fault, so the shape of a streamed answer is set here, for
// direct and relayed requests alike (a queued fault still overrides it).
const server = await startEmulatorServer({
  models: Number(values.models),
  acceptAnyKey: true,
  maxLoggedRequests: 1_000,
  // --model-rpm: the default key's workspace with its own limit for gpt-oss-120b (scenario 11 keeps it locally).
  ...(values["model-rpm"] && {
    workspaces: [
      {
        keys: [DEFAULT_API_KEY],
        added: { "gpt-oss-120b": { added_at: "2025-08-06T12:00:00Z", last_used_at: null } },
        rateLimits: { "gpt-oss-120b": [{ type: "REQUEST", unit: "MINUTE", threshold: Number(values["model-rpm"]) }] },
      },
    ],
  }),
  faults: (request) =>
    new URL(request.url).pathname === "/v1/chat/completions" ? { chunks, chunkDelayMs } : undefined,
});
process.stdout.write(`listening on ${server.url}\n`);
const stop = () => void server.close().finally(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
// The harness owns this process: if it goes away, so does the upstream.
process.stdin.on("end", stop).resume();
