# UniFleet platform image. Two stages: the build stage compiles the platform (tsconfig.image.json) and the dashboard,
# the runtime stage holds only the compiled JavaScript, production dependencies, site maps and the built dashboard.
#   docker build -t registry.example.com/unifleet:0.1.0 .
# Configuration is by UNIFLEET_* environment variables (README "Configuration"); deploy/k8s sets them.

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.image.json \
 && npm run build:web \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    UNIFLEET_API_HOST=0.0.0.0 \
    UNIFLEET_RCS_HOST=0.0.0.0 \
    UNIFLEET_SIM_AGVS=0 \
    UNIFLEET_DEMO_TASKS_PER_MIN=0 \
    UNIFLEET_DEMO_KEY=false
WORKDIR /app
# Same layout as a checkout (src/, maps/, web/dist/), so module-relative paths resolve unchanged.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/out/src ./src
COPY --from=build /src/maps ./maps
COPY --from=build /src/web/dist ./web/dist
# The SQLite default (single box without PostgreSQL) writes to /app/data.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# 8080: HTTP API, dashboard, /healthz, /readyz, /metrics. 7700: the AGV protocol (TCP).
EXPOSE 8080 7700
CMD ["node", "src/main.js"]
