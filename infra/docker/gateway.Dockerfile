# syntax=docker/dockerfile:1
# Babble Buddy gateway (NestJS). Build from the repository root:
#   docker build -f infra/docker/gateway.Dockerfile -t babble-buddy/gateway .
# The container runs the database migrations, then `node apps/gateway/dist/main.js` on $PORT.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install everything, build the gateway and the workspace packages it depends on ----
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
# The admin app is built too: the gateway serves apps/admin/dist at /admin/.
RUN pnpm turbo run build --filter=@babble-buddy/gateway... --filter=@babble-buddy/admin
# Keep the workspace layout (apps/*, packages/*) but replace node_modules with production
# dependencies of the gateway and its workspace dependencies only, from the same store.
RUN --mount=type=cache,id=babble-pnpm-store,target=/pnpm/store \
    rm -rf node_modules apps/*/node_modules packages/*/node_modules \
 && pnpm install --frozen-lockfile --prod --prefer-offline --store-dir "$PNPM_STORE_DIR" \
      --filter "@babble-buddy/gateway..." \
 && rm -rf .turbo apps/*/.turbo packages/*/.turbo

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build /app /app
COPY --chmod=755 infra/docker/gateway-entrypoint.sh /usr/local/bin/gateway-entrypoint.sh
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/gateway-entrypoint.sh"]
# The node flags of apps/gateway's start script (a young generation sized for streamed answers, and
# room in the old one before its first major GC: see the README's gateway bench).
CMD ["node", "--max-semi-space-size=32", "--initial-old-space-size=256", "apps/gateway/dist/main.js"]
