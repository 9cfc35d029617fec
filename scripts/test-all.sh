#!/usr/bin/env bash
# Every check CI runs (`./run test` calls this with the pinned toolchain on PATH), then a summary.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
failed=()
stage() { # stage NAME COMMAND...: runs one stage, remembers failures, goes on
  local name=$1; shift
  echo; echo "=== $name: $*"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}

# The closing line sums the vitest reports on disk: earlier runs' reports go first, so that only this run's count
# (turbo puts a cached test task's report back when it replays it).
rm -f {packages,apps,tools,tests}/*/.vitest-report.json

stage "lint and format (biome)" pnpm -s lint
stage "generated files are up to date" bash scripts/check-generated.sh
stage "specs lint" pnpm -s lint:specs
stage "function sizes (none over 80 lines in packages/*/src)" pnpm -s check:functions
# Every task in every package even when one fails, then one line per task naming the packages that pass.
stage "build, typecheck, test, package checks" \
  node scripts/turbo-tasks.ts build typecheck test check:package check:examples size -- --output-logs=new-only
stage "bench --quick (every scenario runs; missed targets are reported, not failed)" pnpm -s bench --quick
stage "release dry run (changeset version, jsr.json versions, npm pack, deno publish --dry-run)" node scripts/release.ts dry-run
stage "packed tarballs in every runtime (node, deno, bun, workerd, chromium)" node runtime-tests/run.ts

# One closing line for the whole suite, summed from each package's vitest JSON report of this run.
node -e '
  const fs = require("node:fs"), path = require("node:path");
  let passed = 0, failedTests = 0, skipped = 0;
  for (const dir of ["packages", "apps", "tools", "tests"].flatMap((d) => fs.existsSync(d) ? fs.readdirSync(d).map((p) => path.join(d, p)) : [])) {
    const file = path.join(dir, ".vitest-report.json");
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failedTests += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`\n${passed} passed, ${failedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED stages: ${failed[*]}"; exit 1
fi
echo "all stages passed"
