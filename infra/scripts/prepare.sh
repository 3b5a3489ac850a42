#!/usr/bin/env bash
# Shared first steps of up.sh and test.sh: services, dependencies, build.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1

bash infra/scripts/ensure-services.sh "$@"
echo "[prepare] installing dependencies"
pnpm install --frozen-lockfile --reporter=append-only
echo "[prepare] building"
pnpm turbo run build --output-logs=errors-only
