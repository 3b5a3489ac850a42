#!/usr/bin/env bash
# The one test command (README, .ci/run, GitHub CI): sets everything up, builds, runs every test.
# Needs Node 20 and root (or Postgres with pgvector and Redis already running).
set -euo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 CI="${CI:-false}"

# Browser tests (widget, admin) drive real Chromium.
bash infra/scripts/prepare.sh --browser

rm -rf .test-results
status=0
pnpm turbo run test --concurrency=1 --continue --output-logs=full || status=$?

passed=0 failed=0 skipped=0
for file in .test-results/*.json; do
  [ -e "$file" ] || continue
  read -r p f s < <(node -e 'const r=require(process.argv[1]);console.log(r.passed,r.failed,r.skipped)' "$PWD/$file")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "[test] no tests ran"; status=1
fi
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
