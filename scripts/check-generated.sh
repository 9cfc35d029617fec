#!/usr/bin/env bash
# Reruns every generator, then fails when a generated file differs from the committed one or is new.
# Only the generators' outputs are checked: an unrelated uncommitted edit (a README) is not drift.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Every package's `generate` script: core's OpenAPI types, the gateway's page assets, the emulator's
# recorded catalog (a package that adds a generator is picked up here; add its outputs below).
pnpm -r run generate

# What the generators write (the `generate` outputs in turbo.json and the packages' turbo.json), as git
# pathspecs, so that a tracked file that changed and an untracked file the generator added both show.
outputs=(
  "packages/core/src/generated/"
  "packages/gateway/src/page/*.generated.ts"
  "packages/emulator/src/catalog/*.generated.ts"
)
drift=$(git status --porcelain --untracked-files=all -- "${outputs[@]}")
if [ -n "$drift" ]; then
  echo "generated files differ from the committed ones (regenerate and commit them):"
  echo "$drift"
  git --no-pager diff --stat -- "${outputs[@]}"
  exit 1
fi
echo "generated files are up to date"
