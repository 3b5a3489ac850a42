#!/bin/sh
# Gateway container entry point: apply pending database migrations, then run the command
# (by default `node --max-semi-space-size=32 --initial-old-space-size=256 apps/gateway/dist/main.js`). Set SKIP_MIGRATIONS=1 to skip the first step,
# e.g. when several gateway replicas start at once and a separate job migrates.
set -eu
cd /app
if [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then
  echo "[entrypoint] applying database migrations"
  node packages/db/dist/cli/migrate.js
fi
exec "$@"
