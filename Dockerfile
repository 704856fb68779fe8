# PAMS server, worker and CLI in one image. Node 24 runs the .ts sources directly (type stripping).
# Two stages: `deps` installs the production dependencies only, and the final stage copies them beside the
# source. No devDependency reaches the image: not the test and build tools, and not the `node` package the
# repo pins for development (a second Node binary); the base image's Node runs PAMS.
# tests/deploy/image.test.ts parses this file and checks these properties.

FROM node:24-slim AS deps

WORKDIR /app

# The manifests only, so the install layer is rebuilt when the dependencies change rather than on every
# source edit. shared/ (the client package) is an npm workspace: its manifest is part of the install.
COPY package.json package-lock.json .npmrc ./
COPY shared/package.json shared/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim

WORKDIR /app

# Heap sizes: PAMS's live set is small (exports, imports and lists stream in pages), so a capped young
# generation and old space keep memory flat (bench/results.md: bulk FHIR export under 300 MB) instead of
# letting V8 grow the heap with the allocation rate. A 16 MB young generation rather than 8 costs ~11 MB of
# RSS and saves ~12% of an auth.me's CPU (fewer scavenges); 32 saved no more for ~45 MB (issue 17's notes).
# bench/run.ts runs its servers with the same options.
# PAMS_DATA_DIR: documents' bytes live under it when S3_BUCKET is unset; /app belongs to root, so the data
# goes to a folder the `node` user owns (compose mounts a volume there).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PAMS_DATA_DIR=/data \
    NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=192"

RUN mkdir /data && chown node:node /data

COPY --from=deps /app/node_modules node_modules
# What the processes load: the CLI reads package.json for its version, `pams migrate` reads migrations/.
COPY package.json ./
COPY cli cli
COPY server server
COPY shared shared
COPY migrations migrations

USER node
EXPOSE 3000

CMD ["node", "cli/pams.ts", "serve"]
