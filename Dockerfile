# One image for every ImaraPay process; docker-compose.yml picks the command:
#   api        node dist/api/main.js   (the default)
#   worker     node dist/worker/main.js
#   migrate    node dist/db/migrate.js
#   simulator  node dist/simulator/main.js   (local sandboxes only; refuses APP_ENV=production)
# Debian (glibc), not Alpine: the Temporal SDK's native bridge ships glibc builds only.
# Node 26, the line package.json's `node` dev dependency brings to `npm start` and `npm test`.

FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lockfile is written on linux-x64 and lacks other platforms'
# optional packages, which npm install adds (and otherwise honours the lockfile).
RUN npm install --no-audit --no-fund
COPY . .
# tsconfig.build.json compiles the product only (no scripts/ or bench/); the workflow bundle and the
# dashboard are built here too, and only dist/ and web/dist reach the runtime stage.
RUN npm run build

FROM node:26-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The dashboard's static build, served by the API at / (api/webApp.ts finds it beside dist/).
COPY --from=build /app/web/dist ./web/dist
USER node
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
