// Size budget: core bundled with its dependencies, minified and gzipped, against openapi-fetch.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const kB = 1024;

/** Bundles an ES module text (resolved from this package) and returns its min+gzip bytes. */
async function gzippedSize(source: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: new URL("..", import.meta.url).pathname, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

const baseline = await gzippedSize(`export * from "openapi-fetch";`);
const rows: { label: string; source: string; budget?: number }[] = [
  { label: "openapi-fetch, createClient only", source: `export { default } from "openapi-fetch";` },
  // What an app or Worker ships when it uses the clients: the budget the project promises.
  {
    label: "core: both clients + errors",
    source: `export { createBasetenClient, createInferenceClient, ApiError } from "./dist/index.js";`,
    budget: baseline + 3 * kB,
  },
  // The catalog helpers are pure functions that tree-shake away when unused. Unknown (null) prices and
  // the five rate-limit types of Baseten's whole management document added 0.25 kB to them.
  { label: "core: every export", source: `export * from "./dist/index.js";`, budget: baseline + 5.25 * kB },
];

const format = (n: number) => `${(n / kB).toFixed(2)} kB`;
console.log(`${"openapi-fetch (whole package, baseline)".padEnd(42)}${format(baseline)}`);
let failed = false;
for (const { label, source, budget } of rows) {
  const size = await gzippedSize(source);
  const delta = size - baseline;
  const verdict =
    budget === undefined ? "" : size <= budget ? `  ok (budget ${format(budget)})` : `  OVER budget ${format(budget)}`;
  console.log(`${label.padEnd(42)}${format(size)}  (${delta >= 0 ? "+" : ""}${format(delta)})${verdict}`);
  if (budget !== undefined && size > budget) failed = true;
}
if (failed) process.exit(1);
