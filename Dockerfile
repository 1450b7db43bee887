# aeturnis-db as a container image: an init container, a Kubernetes Job/CronJob or a CI step
# that migrates a PostgreSQL database and exits.
#
#   docker build -t aeturnis-db:0.1.0 .
#   docker run --rm -e DATABASE_URL=postgres://app:secret@db:5432/aeturnis aeturnis-db:0.1.0          # = up
#   docker run --rm -e DATABASE_URL=... aeturnis-db:0.1.0 status
#   docker run --rm -e DATABASE_URL=... -v "$PWD/migrations:/app/migrations:ro" aeturnis-db:0.1.0 up
#
# Layout of the image (README.md, "Deploying"):
#   /opt/aeturnis-db       the installed npm package: bin/, dist/, production node_modules/ (root-owned)
#   /app                   working directory
#   /app/migrations        the migrations `up` applies: replace with a volume or in a derived image
#   /app/seeds             dev seeds (`seed` refuses to run here: NODE_ENV=production, use --force)
#
# The install recipe lives in docker/install-runtime.sh; test/integration/package.test.ts runs
# it without Docker and checks this file's stages against it.

ARG NODE_IMAGE=node:20-alpine

# ---- 1. build: compile the TypeScript, bundle the CLI (scripts/build.mjs) and pack the npm package
#         (what `npm publish` would ship)
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json README.md ./
COPY scripts/build.mjs scripts/build.mjs
COPY bin/ bin/
COPY src/ src/
COPY migrations/ migrations/
COPY seeds/ seeds/
RUN npm run build \
 && mkdir -p /pack \
 && npm pack --ignore-scripts --pack-destination /pack \
 && mv /pack/aeturnis-db-*.tgz /pack/aeturnis-db.tgz \
 && cp package-lock.json /pack/package-lock.json

# ---- 2. install: the packed package with production dependencies only, lockfile-pinned
FROM ${NODE_IMAGE} AS install
COPY docker/install-runtime.sh /pack/install-runtime.sh
COPY --from=build /pack/aeturnis-db.tgz /pack/package-lock.json /pack/
RUN sh /pack/install-runtime.sh /pack/aeturnis-db.tgz /pack/package-lock.json /opt/aeturnis-db /app

# ---- 3. runtime: node + the installed package, no npm cache, no tarball, non-root
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="aeturnis-db" \
      org.opencontainers.image.description="PostgreSQL migrations in plain SQL files (init container / CI step)" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production
COPY --from=install /opt/aeturnis-db /opt/aeturnis-db
COPY --from=install /app /app
# `aeturnis-db` on the PATH too, for CI jobs that run this image with a shell.
RUN ln -s /opt/aeturnis-db/bin/aeturnis-db.js /usr/local/bin/aeturnis-db
WORKDIR /app
# The official image's "node" user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["node", "/opt/aeturnis-db/bin/aeturnis-db.js"]
CMD ["up"]
