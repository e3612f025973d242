# One image for every role of Sitework: the web server (default), the job worker (`node worker.mjs`) and the
# migration step (`node migrate.mjs`, once per deploy, before the others start). `npm run build` writes a
# self-contained dist/ (Next's standalone server, our entry points and the node_modules they need), so the
# runtime stage holds that directory and Node, and no npm, compiler or source.
#
# Server actions: Next salts their ids and encrypts their bound arguments with a key fixed at build time. Pass
# the same --build-arg NEXT_SERVER_ACTIONS_ENCRYPTION_KEY to every build you deploy side by side (and set it at
# run time too), so a page served by one release can post its actions to a replica of another.

FROM node:20-bookworm AS deps
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
ARG NEXT_SERVER_ACTIONS_ENCRYPTION_KEY
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
# HOSTNAME: Docker sets it to the container's name, and a server that binds to it (Next's standalone one does) would
# not answer the health check on 127.0.0.1.
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0
WORKDIR /app
# Owned by the unprivileged user Next runs as, which may write its cache under .next/.
COPY --from=build --chown=node:node /src/dist ./
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can check it.
USER 1000:1000
EXPOSE 3000
# The slim image has no curl: Node's own fetch asks the liveness endpoint (no database involved). Only the web role
# serves HTTP: deploy/compose.yaml turns the check off for the worker and the migration.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.mjs"]
