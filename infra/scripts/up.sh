#!/usr/bin/env bash
# The one start command: installs what is missing, builds, migrates, seeds, starts the gateway, the worker
# and a demo page with the widget, and prints their URLs and the demo tenant's keys. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1
log() { echo "[up] $*"; }

if [ ! -f .env ]; then
  log "writing .env from .env.example with fresh secrets"
  sed -e "s/^ENCRYPTION_KEY=$/ENCRYPTION_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')/" \
      -e "s/^JWT_SECRET=$/JWT_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')/" \
      .env.example > .env
  chmod 600 .env
fi
set -a
# shellcheck disable=SC1091
. ./.env
set +a

bash infra/scripts/prepare.sh
log "migrating $DATABASE_URL"
pnpm --silent db:migrate
log "seeding the demo tenant"
mkdir -p .babble-buddy
SEED_JSON=$(DEMO_KEYS_FILE="$PWD/.babble-buddy/demo-keys.json" pnpm --silent db:seed)

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

model_note="Ollama at $OLLAMA_BASE_URL (model $OLLAMA_MODEL)"
if [ "$LLM_PROVIDER" = "ollama" ] && ! curl -fsS -m 2 "$OLLAMA_BASE_URL/api/version" >/dev/null 2>&1; then
  if [ "${DEMO_MODEL:-auto}" = "auto" ]; then
    port=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
    node packages/testing/dist/bin/fake-llm.js --port "$port" --echo --token-delay-ms 30 > .babble-buddy/demo-model.log 2>&1 &
    pids+=($!)
    export OLLAMA_BASE_URL="http://127.0.0.1:$port" LLM_FALLBACK=false
    model_note="DEMO MODEL (echo, not AI): no Ollama answered; install Ollama or set OPENAI_API_KEY + LLM_PROVIDER=openai in .env"
  else
    model_note="no model reachable at $OLLAMA_BASE_URL: chats will answer MODEL_UNAVAILABLE"
  fi
fi

# The node flags of apps/gateway's start script (a young generation sized for streamed answers, and
# room in the old one before its first major GC: see the README's gateway bench).
node --max-semi-space-size=32 --initial-old-space-size=256 apps/gateway/dist/main.js &
pids+=($!)
gateway_up=0
for _ in $(seq 1 100); do
  if curl -fsS -m 1 "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then gateway_up=1; break; fi
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.2
done
[ "$gateway_up" -eq 1 ] || { echo "[up] the gateway did not start (see its messages above)" >&2; exit 1; }

# The worker ingests knowledge sources (BullMQ jobs the gateway queues). Its JSON logs go to the
# console and to .babble-buddy/worker.log, where its start is awaited.
: > .babble-buddy/worker.log
node apps/worker/dist/main.js > >(tee -a .babble-buddy/worker.log) 2>&1 &
pids+=($!)
worker_up=0
for _ in $(seq 1 100); do
  if grep -q '"msg":"worker ready"' .babble-buddy/worker.log; then worker_up=1; break; fi
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.2
done
[ "$worker_up" -eq 1 ] || { echo "[up] the worker did not start (see .babble-buddy/worker.log)" >&2; exit 1; }

# The demo host page: its own port, so the widget runs cross-origin as on a customer's site. Its origin
# must be on the demo key's list (DEMO_ORIGINS, applied by the seed above).
demo_port="${DEMO_PORT:-5180}"
publishable=$(node -e 'console.log(JSON.parse(process.argv[1]).publishableKey)' "$SEED_JSON")
node infra/demo/server.mjs --port "$demo_port" --gateway "http://localhost:$PORT" --key "$publishable" > .babble-buddy/demo-page.log 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS -m 1 "http://127.0.0.1:$demo_port/" >/dev/null 2>&1 && break
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "[up] the demo page did not start: $(cat .babble-buddy/demo-page.log)" >&2; exit 1; }
  sleep 0.1
done

node -e '
const seed = JSON.parse(process.argv[1]);
const port = process.argv[2];
const url = `http://localhost:${port}`;
console.log(`
  Babble Buddy is running
  demo page      http://localhost:${process.argv[4]}/   (open it and chat with the widget)
  gateway        ${url}
  admin          ${url}/admin/   (first visit: create the owner account)
  health         ${url}/health/ready
  model          ${process.argv[3]}
  worker         knowledge ingestion (logs in .babble-buddy/worker.log)

  demo tenant    ${seed.tenant.name} (${seed.tenant.id})
  publishable    ${seed.publishableKey}
  secret         ${seed.secretKey}

  try it:
    curl -s ${url}/api/v1/chat -H "authorization: Bearer ${seed.secretKey}" \\
      -H "content-type: application/json" -d \x27{"message":"Hello!"}\x27

  embed on your site:
    <script src="${url}/widget.js" data-key="${seed.publishableKey}" async></script>
    (allow the site first: pnpm bb widget set --tenant demo --add-origin https://your.site)

  operators: open the admin, or pnpm bb admin create --email you@example.com --password ...
  knowledge: pnpm bb kb add --tenant ${seed.tenant.id} ./handbook.pdf https://example.com/faq
  Ctrl-C stops everything.
`);' "$SEED_JSON" "$PORT" "$model_note" "$demo_port"
wait -n "${pids[@]}"
