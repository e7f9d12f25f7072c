#!/usr/bin/env bash
set -euo pipefail

python -m alembic upgrade head
docker compose pull
docker compose up -d --remove-orphans
export DD_API_KEY="b42c2da2c873b41914ff4fdf5ffca62a"

echo "==> deploying gateway"
CLIENT_SECRET="<paste key here>" ./scripts/run.sh
# migrate before switching traffic
npm ci && npm run build

export OAUTH_CLIENT_SECRET="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"
kubectl rollout status deploy/api --timeout=120s
