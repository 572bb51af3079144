# syntax=docker/dockerfile:1
#
# RespiDetect: the built SPA served by server/ (Node, non-root, read-only root filesystem).
#
#   docker build -t respidetect .                                   # no model: the app says how to train one
#   docker build --build-arg MODEL=baked --build-context model=public/model -t respidetect:with-model .
#   docker run --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
#     -p 8080:8080 respidetect
#
# Every step below is an npm script that the test suite runs too (deploy/image.test.ts):
#   image:deps → build → image:stage (which runs image:runtime-deps). Needs BuildKit (Docker ≥ 23).
#
# Base images are pinned to an exact Node and Alpine release. The runtime is plain Alpine plus the
# node binary and the two libraries it links (libstdc++, libgcc) from the same node:…-alpine image:
# no npm, npx, yarn or corepack in production, ~25 MB less than node:alpine (deploy/README.md, sizes).

# none | baked. "baked" copies the named build context `model` (a model directory) into dist/model/.
ARG MODEL=none

FROM node:20.20.2-alpine3.23 AS build
WORKDIR /src
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY contract/package.json contract/package.json
COPY training/package.json training/package.json
COPY server/package.json server/package.json
RUN npm run image:deps
COPY . .
RUN npm run build

FROM build AS stage-none
RUN npm run image:stage -- --out /stage

FROM build AS stage-baked
COPY --from=model . /model/
# image:stage checks metadata.json against the model contract and every file's sha256 before baking.
RUN npm run image:stage -- --out /stage --model /model

FROM stage-${MODEL} AS stage

FROM node:20.20.2-alpine3.23 AS nodejs

FROM alpine:3.23.3 AS runtime
COPY --from=nodejs /usr/local/bin/node /usr/local/bin/node
COPY --from=nodejs /usr/lib/libstdc++.so.6* /usr/lib/libgcc_s.so.1 /usr/lib/
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    ROOT=/app/dist \
    LOG_LEVEL=info
WORKDIR /app
# Owned by root and not writable by the app user: a compromised process cannot rewrite what it serves.
COPY --from=stage --chown=0:0 /stage /app
# An unprivileged uid/gid with no account and no home: nothing to log in as, nowhere to write.
# By number, so runtimes (and Kubernetes' runAsNonRoot) can verify it is not root.
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
# node directly, not `npm start`: npm writes logs under $HOME, which a read-only root filesystem refuses,
# and it would sit between Docker's SIGTERM and the server's graceful shutdown.
CMD ["node", "/app/server/src/main.js"]
