// Size budget: the bundle `pnpm build` wrote (dist/index.js), raw and gzipped, against a 56 KiB gzip ceiling.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const KiB = 1024;
// Far below the Workers limits (3 MiB free, 10 MiB paid, gzipped): the budget is about startup
// time, which grows with the script every isolate must parse, and about noticing a stray import.
// Raised from 50 KiB with gateway keys (issue 16: enforcement, admin API, usage, the Durable Object class), about 10 KiB.
const BUDGET = 56 * KiB;

const path = new URL("../dist/index.js", import.meta.url);
let bundle: Buffer;
try {
  bundle = readFileSync(path);
} catch {
  console.error(`size: ${path.pathname} is missing; run \`pnpm build\` first.`);
  process.exit(1);
}
const gzipped = gzipSync(bundle, { level: 9 }).length;
const format = (n: number) => `${(n / KiB).toFixed(2)} KiB`;
const verdict = gzipped <= BUDGET ? `ok (budget ${format(BUDGET)})` : `OVER budget ${format(BUDGET)}`;
console.log(`worker bundle: ${format(bundle.length)} raw, ${format(gzipped)} gzip  ${verdict}`);
if (gzipped > BUDGET) process.exit(1);
