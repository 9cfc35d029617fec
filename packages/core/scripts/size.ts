// Size budget: core bundled with its dependencies, minified and gzipped, against openapi-fetch.
//   node scripts/size.ts          a table for people and CI (exits 1 when a row is over its budget)
//   node scripts/size.ts --json   the same rows as JSON, in exact bytes: [{ label, bytes, budget }] (budget null when none)
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const kB = 1024;
const { values } = parseArgs({ options: { json: { type: "boolean", default: false } }, strict: true });

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

/** One measured row; the verdict is taken here, on exact bytes, for both outputs. */
interface Measured {
  label: string;
  bytes: number;
  budget: number | null;
}

const measured: Measured[] = [{ label: "openapi-fetch (whole package, baseline)", bytes: baseline, budget: null }];
for (const { label, source, budget } of rows)
  measured.push({ label, bytes: await gzippedSize(source), budget: budget ?? null });
const failed = measured.some(({ bytes, budget }) => budget !== null && bytes > budget);

const format = (n: number) => `${(n / kB).toFixed(2)} kB`;
if (values.json) console.log(JSON.stringify(measured, null, 2));
else {
  const [first, ...rest] = measured;
  console.log(`${first!.label.padEnd(42)}${format(first!.bytes)}`);
  for (const { label, bytes, budget } of rest) {
    const delta = bytes - baseline;
    const verdict =
      budget === null ? "" : bytes <= budget ? `  ok (budget ${format(budget)})` : `  OVER budget ${format(budget)}`;
    console.log(`${label.padEnd(42)}${format(bytes)}  (${delta >= 0 ? "+" : ""}${format(delta)})${verdict}`);
  }
}
if (failed) process.exit(1);
