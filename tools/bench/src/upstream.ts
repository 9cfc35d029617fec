// The bench's upstream: the emulator's Node server in its own process, with streamed chat answers forced to a fixed shape.
import { parseArgs } from "node:util";
import { startEmulatorServer } from "@baseten-edge/emulator/node";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "0" },
    chunks: { type: "string", default: "64" },
    "chunk-delay": { type: "string", default: "0" },
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
  faults: (request) =>
    new URL(request.url).pathname === "/v1/chat/completions" ? { chunks, chunkDelayMs } : undefined,
});
process.stdout.write(`listening on ${server.url}\n`);
const stop = () => void server.close().finally(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
// The harness owns this process: if it goes away, so does the upstream.
process.stdin.on("end", stop).resume();
