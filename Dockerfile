# syntax=docker/dockerfile:1
# claude-gateway: an OpenAI-compatible API in front of Claude Code.
# The Claude Code CLI comes with the Agent SDK's platform package
# (@anthropic-ai/claude-agent-sdk-linux-x64 / -linux-arm64), so nothing else is downloaded.

# Node 22 (LTS): Node 20 reached its end of life in April 2026.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/build-console.mjs ./scripts/
COPY src ./src
COPY web ./web
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
# procps: `ps`, which pidtree uses to find tool processes to kill; tini: PID 1 that forwards
# SIGTERM to the gateway and reaps orphaned tool processes.
RUN apt-get update \
  && apt-get install -y --no-install-recommends procps tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=8080 \
  DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# dist/ holds the compiled gateway (no tests: tsconfig.build.json leaves them out) and the console bundle.
COPY --from=build /app/dist ./dist
# What the gateway reads at run time besides its code (PACKAGE_ASSETS in src/console/package-root.ts):
# the prompt templates behind /api/v1/templates and /api/generate/*.
COPY templates ./templates
# The container starts as root only to hand /data to `node` (a Fly.io volume or a bind mount arrives
# owned by root), then this script runs the gateway as `node` via setpriv (util-linux). It is also
# what `docker exec <container> claude-gateway keys ...` runs, so the CLI never writes to the store
# as root either.
COPY docker/claude-gateway.sh /usr/local/bin/claude-gateway
RUN chmod 755 /usr/local/bin/claude-gateway && mkdir -p /data && chown node:node /data
# Keys and audit log (gateway.db), Claude Code's config and sessions, the chat workspace.
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# docker stop waits 10 s before SIGKILL by default, less than SHUTDOWN_GRACE_MS (25 s): run with
# --stop-timeout 30 (compose: stop_grace_period: 30s; Fly.io: kill_timeout = 30 in fly.toml).
ENTRYPOINT ["tini", "--", "claude-gateway"]
CMD ["serve"]
