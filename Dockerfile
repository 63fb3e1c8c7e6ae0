# syntax=docker/dockerfile:1

# Node 24 LTS. The service supports Node 22.14+ and 24 (package.json engines);
# node:22-bookworm-slim in both stages works too. Its native addons (argon2,
# better-sqlite3, sharp) are Node-API builds, loadable by either line.

# ---- build: compile TypeScript, then drop dev dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
# npm still runs node-gyp for better-sqlite3 (a configure step that finds its
# prebuilt binary and compiles nothing) and for any addon whose prebuilt
# binary does not fit the platform; node-gyp needs Python and a compiler.
# npm ci also installs the pinned Node 24 development dependency that npm
# scripts run on; npm prune drops it, and the image runs its own node.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Manifests first, so the dependency layer is cached until they change.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build \
 && npm prune --omit=dev

# ---- runtime: no compilers, no dev dependencies, not root ----
FROM node:24-bookworm-slim
# glibc tuning for argon2 (19 MiB per hash) and libvips, which allocate on
# worker threads: two arenas instead of one per thread. Large blocks are left
# to glibc's dynamic mmap threshold on purpose: forcing them to be mapped and
# returned to the system on every free made each login fault its 19 MiB back
# in, and cut argon2 verifications to a quarter (README, Benchmarks).
ENV NODE_ENV=production DATA_DIR=/data PORT=8000 MALLOC_ARENA_MAX=2
WORKDIR /app
# Left owned by root (COPY's default): the node user can read the code, not change it.
COPY --from=build /app/node_modules ./node_modules
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
# (README, Runtime). exec: node stays PID 1 and receives SIGTERM itself.
CMD ["sh", "-c", "UV_THREADPOOL_SIZE=\"${UV_THREADPOOL_SIZE:-$(nproc)}\" exec node dist/main.js"]
