# syntax=docker/dockerfile:1
# One image recipe for the four services and the CLI: `docker build -f deploy/service.Dockerfile --build-arg SERVICE=xds .`
# (docker-compose.yml does this for each; SERVICE=cli is the image of the `pki` one-shot, services/cli/dist/main.js).
# The build stage compiles the whole workspace; `pnpm deploy` then copies one service with only its production
# dependencies (workspace packages included as real copies).

FROM node:24-slim AS build
ARG PNPM_VERSION=9.15.9
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}"
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile && pnpm build
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<xds|certs|authz|ratelimit|cli>" >&2; exit 1; }
RUN pnpm --filter "@gatehouse/${SERVICE}" --prod deploy "/out/services/${SERVICE}"

FROM node:24-slim
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build --chown=root:root /out/ /app/
# The image's own unprivileged user; the code stays owned by root, so the process cannot change it.
USER node
# exec: node must be PID 1's replacement to receive SIGTERM and shut down gracefully.
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]
