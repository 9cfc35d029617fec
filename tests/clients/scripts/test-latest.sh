#!/usr/bin/env bash
# Runs the client suite against the newest published clients instead of the pinned ones, then puts the
# pins back (package.json and the lockfile are restored from git: commit your own changes to them first).
#   ./run --filter @baseten-edge/client-tests test:latest     (after ./run build)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(git rev-parse --show-toplevel)
clients=(openai @anthropic-ai/sdk ai @ai-sdk/openai @ai-sdk/openai-compatible @ai-sdk/anthropic @langchain/openai @langchain/core)
restore() {
  git -C "$root" checkout -- tests/clients/package.json pnpm-lock.yaml
  pnpm -C "$root" install --frozen-lockfile --prefer-offline --reporter=silent
}
trap restore EXIT
pnpm add -D "${clients[@]/%/@latest}" || exit 1
for name in "${clients[@]}"; do echo "$name $(node -p "require('$name/package.json').version" 2>/dev/null)"; done
pnpm exec vitest run
