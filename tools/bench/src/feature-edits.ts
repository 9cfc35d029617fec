// The pieces of the relay's own work that features.ts and profile-native.ts take out, one at a time or
// all together, by replacing their lines as the gateway's sources are bundled.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** One source edit: in `file` (under packages/gateway/src), `from` (found exactly once) becomes `to`. */
export interface Edit {
  file: string;
  from: string;
  to: string;
}

const RELAY = "relay/relay.ts";
export const FEATURES: Record<string, Edit[]> = {
  "the response-header firewall": [
    {
      file: RELAY,
      from: "headers: relayedResponseHeaders(upstream.headers) }",
      to: 'headers: new Headers({ "content-type": upstream.headers.get("content-type") ?? "" }) }',
    },
  ],
  "the first-byte and idle timers": [
    {
      file: RELAY,
      from: "const firstByte = setTimeout(() => upstreamAbort.abort(new FirstByteTimeout()), settings.firstByteTimeoutMs);",
      to: "const firstByte = undefined;",
    },
    {
      file: RELAY,
      from: "const idle = setTimeout(() => sent.upstreamAbort.abort(), deps.settings.idleTimeoutMs);",
      to: "const idle = undefined;",
    },
  ],
  "the caller id (HMAC-SHA256 of the key)": [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text to find, not a template
    { file: "auth.ts", from: "id: this.signNow(`key:${given.key}`),", to: 'id: "constant",' },
  ],
  "the usage and exact cost from the answer": [
    { file: RELAY, from: "usage = protocol.bodyUsage(JSON.parse(utf8.decode(bytes)));", to: "usage = null;" },
  ],
  "core's retry loop": [
    {
      file: RELAY,
      from: "upstream = await sendWithRetries(deps.policy, false, upstreamAbort.signal, (signal) => {",
      to: "upstream = await settings.fetch((() => { const signal = upstreamAbort.signal;",
    },
    {
      file: RELAY,
      from: 'return new Request(url, { method: "POST", headers, body, signal });\n    });',
      to: 'return new Request(url, { method: "POST", headers, body, signal });\n    })());',
    },
  ],
  "the client-abort listener": [
    {
      file: RELAY,
      from: 'request.signal.addEventListener("abort", onClientAbort, { once: true });\n  const release = () => request.signal.removeEventListener("abort", onClientAbort);',
      to: "const release = () => {};",
    },
  ],
  "the body scan (shape, model, output bound)": [
    {
      file: "relay/request.ts",
      from: "scanned = scanJsonBody(bytes, scannedKeys(route));",
      to: 'scanned = { model: "openai/gpt-oss-120b", modelStart: 0, modelEnd: 0, kinds: new Map([["messages", "array"]]), numbers: new Map() } as never;',
    },
  ],
};

const GATEWAY_SRC = fileURLToPath(new URL("../../../packages/gateway/src/", import.meta.url));

/** Applies `edits` to the gateway's sources as esbuild loads them; each must match exactly once. */
function editing(edits: Edit[]): Plugin {
  const byFile = Map.groupBy(edits, (edit) => join(GATEWAY_SRC, edit.file));
  return {
    name: "edits",
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        const fileEdits = byFile.get(path);
        if (!fileEdits) return undefined;
        let text = await readFile(path, "utf8");
        for (const { from, to, file } of fileEdits) {
          const count = text.split(from).length - 1;
          if (count !== 1)
            throw new Error(`feature-edits: an edit of ${file} matches ${count} times: ${from.slice(0, 60)}`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
}

/**
 * Bundles `entry` (which imports the gateway's sources) into `outfile` with `edits` applied: for
 * workerd, or for Node with `node`; `minify` as wrangler builds the Worker.
 */
export async function bundleEdited(
  entry: string,
  outfile: string,
  edits: Edit[],
  { node = false, minify = false } = {},
): Promise<string> {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: node ? "node" : "neutral",
    conditions: ["@baseten-edge/source", ...(node ? ["node"] : ["workerd", "worker", "browser"])],
    external: ["cloudflare:*"],
    minify,
    outfile,
    logLevel: "warning",
    plugins: [editing(edits)],
  });
  return outfile;
}
