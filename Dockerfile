# opensips-ts in a container: `docker build -t opensips-ts .`, then
#   docker run --rm -p 5060:5060/udp -p 5060:5060/tcp -v $PWD/my.cfg:/etc/opensips/opensips.cfg:ro opensips-ts
# docs/deploy.md has the details (ports, logs, health check, upgrading from OpenSIPS).

# --- build: the TypeScript compiled, native addons built, dev dependencies dropped ---
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY grammar ./grammar
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: slim Node.js 20, the built CLI, a non-root user ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/opensips-ts
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY packaging/healthcheck.mjs ./healthcheck.mjs
COPY packaging/opensips.cfg /etc/opensips/opensips.cfg
RUN chmod 0755 dist/src/cli/bin.js \
 && ln -s /opt/opensips-ts/dist/src/cli/bin.js /usr/local/bin/opensips-ts \
 && groupadd --system opensips \
 && useradd --system --gid opensips --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin opensips
USER opensips
EXPOSE 5060/udp 5060/tcp 5061/tcp
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/opt/opensips-ts/healthcheck.mjs"]
# -F: stay in the foreground (PID 1 of the container); -E: log to stderr, which `docker logs` shows.
ENTRYPOINT ["opensips-ts","-F","-E","-f","/etc/opensips/opensips.cfg"]
