# PAMS server, worker and CLI in one image. Node 24 runs the .ts sources directly (type stripping).
FROM node:24-slim

WORKDIR /app

# The source goes in before `npm ci`: the client package (shared/, an npm workspace) is part of the install.
# devDependencies are installed on purpose (the pinned node@24 binary).
COPY . .
RUN npm ci && npm cache clean --force

# Heap sizes: PAMS's live set is small (exports, imports and lists stream in pages), so a capped young
# generation and old space keep memory flat (bench/results.md: bulk FHIR export under 300 MB) instead of
# letting V8 grow the heap with the allocation rate. bench/run.ts runs its servers with the same options.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=192"

USER node
EXPOSE 3000

CMD ["node", "cli/pams.ts", "serve"]
