# syntax=docker/dockerfile:1
# Babble Buddy worker (BullMQ jobs: knowledge ingestion). Build from the repository root:
#   docker build -f infra/docker/worker.Dockerfile -t babble-buddy/worker .
# The worker does not run migrations (the gateway does) and serves no HTTP. It stops on SIGTERM,
# handing running jobs back to the queue; give it WORKER_SHUTDOWN_GRACE_MS (default 10 s) to do so.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install everything, build the worker and the workspace packages it depends on ----
FROM ${NODE_IMAGE} AS build
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1 \
    PNPM_STORE_DIR=/pnpm/store \
    PRISMA_SCHEMA_ENGINE_BINARY=/bin/false
RUN npm i -g --no-fund --no-audit pnpm@10
WORKDIR /app
COPY . .
RUN --mount=type=cache,id=babble-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir "$PNPM_STORE_DIR"
RUN pnpm turbo run build --filter=@babble-buddy/worker...
# Keep the workspace layout (apps/*, packages/*) but replace node_modules with production
# dependencies of the worker and its workspace dependencies only, from the same store.
RUN --mount=type=cache,id=babble-pnpm-store,target=/pnpm/store \
    rm -rf node_modules apps/*/node_modules packages/*/node_modules \
 && pnpm install --frozen-lockfile --prod --prefer-offline --store-dir "$PNPM_STORE_DIR" \
      --filter "@babble-buddy/worker..." \
 && rm -rf .turbo apps/*/.turbo packages/*/.turbo

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
STOPSIGNAL SIGTERM
CMD ["node", "apps/worker/dist/main.js"]
