# Cairn in one image: the `cairn` command (tracking server, scoring service, monitor, training), built from
# source in a first stage and run as an unprivileged user in a slim second stage.
#   docker build -t cairn .
#   docker run --rm -p 8000:8000 cairn serve models:/heart-disease@champion --host 0.0.0.0 --tracking-uri http://…
# Node 22 by default, as package.json's engines (>= 22.12) and CI require; --build-arg NODE_VERSION=24 also works.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# a compiler for native modules (better-sqlite3) when no prebuilt binary matches the platform
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY ui ./ui
COPY data ./data
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/data ./data
RUN ln -s /app/bin/cairn.js /usr/local/bin/cairn \
  && mkdir -p /data \
  && chown node:node /data
USER node
WORKDIR /data
# tracking server, scoring service, monitor metrics
EXPOSE 5000 8000 9108
ENTRYPOINT ["cairn"]
CMD ["--help"]
