# PAMS server, worker and CLI in one image. Node 24 runs the .ts sources directly (type stripping).
FROM node:24-slim

WORKDIR /app

# The source goes in before `npm ci`: its `prepare` script runs tsc, which needs shared/ and server/.
# devDependencies are installed on purpose (tsc for `prepare`, the pinned node@24 binary).
COPY . .
RUN npm ci && npm cache clean --force

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

USER node
EXPOSE 3000

CMD ["node", "cli/pams.ts", "serve"]
