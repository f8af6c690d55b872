# The CUWO worker (and the provider simulators, for demos). The workflow code is bundled at build
# time so the worker starts fast and every replica runs the identical bundle.
FROM node:20.20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY bin ./bin
COPY scripts/bundle-workflows.ts ./scripts/
RUN npx tsx scripts/bundle-workflows.ts /app/workflows.js
ENV CUWO_WORKFLOW_BUNDLE=/app/workflows.js
USER node
CMD ["npx", "tsx", "src/worker.ts"]
