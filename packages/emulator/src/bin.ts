#!/usr/bin/env node
// The `baseten-emulator` command: serves the emulator on a local port until stopped.
import { parseArgs } from "node:util";
import { loadCassetteDir, startEmulatorServer } from "./node.ts";
import { DEFAULT_API_KEY } from "./workspaces.ts";

const USAGE = `Usage: baseten-emulator [--port 8790] [--host 127.0.0.1] [--models N] [--seed S] [--accept-any-key] [--cassettes DIR]

  --port            port to listen on (0 picks a free one; default 8790)
  --host            interface to bind (default 127.0.0.1, loopback only)
  --models          synthetic Model APIs to add after the ten real ones (default 0)
  --seed            seed for synthetic models, generated text and ids (default 0)
  --accept-any-key  give every unknown API key its own derived workspace
  --cassettes       folder of go-vcr cassettes to replay byte for byte
`;

function parseOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: "string", default: "8790" },
        host: { type: "string", default: "127.0.0.1" },
        models: { type: "string", default: "0" },
        seed: { type: "string", default: "0" },
        "accept-any-key": { type: "boolean", default: false },
        cassettes: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
}

async function main(): Promise<void> {
  const values = parseOptions();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = wholeNumber("--port", values.port, 65_535);
  const models = wholeNumber("--models", values.models, 1_000_000);
  const seed = wholeNumber("--seed", values.seed, 2 ** 31 - 1);
  const cassettes = values.cassettes ? await loadCassetteDir(values.cassettes) : [];

  const server = await startEmulatorServer({
    port,
    host: values.host,
    models,
    seed,
    acceptAnyKey: values["accept-any-key"],
    cassettes,
  });
  if (!["127.0.0.1", "::1", "localhost"].includes(values.host)) {
    process.stderr.write(`warning: listening on ${values.host}, reachable from other machines\n`);
  }
  process.stdout.write(
    `Baseten emulator listening on ${server.url} (API key: ${DEFAULT_API_KEY}, ${server.emulator.catalogSize} Model APIs)\n`,
  );
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function wholeNumber(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) fail(`${flag} must be a whole number from 0 to ${max}, got "${text}"`);
  return Number(text);
}

function fail(message: string): never {
  process.stderr.write(`baseten-emulator: ${message}\n\n${USAGE}`);
  process.exit(2);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseten-emulator: ${(error as Error).message}\n`);
  process.exit(1);
});
