# syntax=docker/dockerfile:1

# Node 24 LTS (maintained until April 2028): the line the benchmarks were
# measured on and the one npm scripts pin for development. The service
# supports 22.14+, 24 and 26 (package.json engines; CI runs each):
# node:22-bookworm-slim or node:26-bookworm-slim in both stages work too. The
# native addons (argon2, better-sqlite3, sharp) are Node-API builds whose
# prebuilt binaries load on any of them.

# ---- build: compile TypeScript, then drop dev dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is cached until they change.
COPY package.json package-lock.json ./
# No dependency needs its install script (package.json allowScripts denies
# each, with the addons loading their prebuilt binaries), so nothing is
# compiled and no compiler is installed. --ignore-scripts says the same to an
# npm older than 11.16, which does not read allowScripts.
RUN npm ci --ignore-scripts
COPY . .
# The pinned development Node (optional node-linux-* packages, 190 MB) is
# not a dev dependency to npm, so prune leaves it: the image runs its own node.
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf node_modules/node-linux-* node_modules/.bin/node

# ---- runtime: no compilers, no dev dependencies, not root ----
FROM node:24-bookworm-slim
# glibc tuning for argon2 (19 MiB per hash) and libvips, which allocate on
# worker threads: two arenas instead of one per thread. Large blocks are left
# to glibc's dynamic mmap threshold on purpose: forcing them to be mapped and
# returned to the system on every free made each login fault its 19 MiB back
# in, and cut argon2 verifications to a quarter (docs/benchmarks.md).
ENV NODE_ENV=production DATA_DIR=/data PORT=8000 MALLOC_ARENA_MAX=2
WORKDIR /app
# Left owned by root (COPY's default): the node user can read the code, not change it.
COPY --from=build /app/node_modules ./node_modules
# dist/ holds the service (dist/main.js) and the operators' command (dist/cli.js:
# `docker compose exec one_auth node dist/cli.js keys create NAME --scopes …`).
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
# SQLite file, images, generated secret, mail files. A named volume mounted
# here starts out with this ownership.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8000
# No curl in the slim image: node's own fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/one_auth/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# Migrations run at start. SECRET must be provided (required in production).
# libuv's thread pool (argon2, sharp, file I/O) sized to the CPUs the
# container sees unless set: the default 4 oversubscribes a 2-CPU container,
# starving the event loop during logins, and leaves cores idle on a larger one
# (docs/operations.md, Runtime). exec: node stays PID 1 and receives SIGTERM itself.
CMD ["sh", "-c", "UV_THREADPOOL_SIZE=\"${UV_THREADPOOL_SIZE:-$(nproc)}\" exec node dist/main.js"]
