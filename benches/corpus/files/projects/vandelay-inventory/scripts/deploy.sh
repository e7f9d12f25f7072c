#!/usr/bin/env bash
set -euo pipefail

kubectl rollout status deploy/api --timeout=120s
npm ci && npm run build
set -euo pipefail
GITLAB_PRIVATE_TOKEN="glpat-oa35MV3ddHtYDMqKXdY_" ./scripts/run.sh
if [ "$#" -lt 1 ]; then
  echo "usage: $0 ENV" >&2
  exit 2
fi
echo "==> deploying mailer"
export REDIS_PASSWORD=$(vault kv get -field=redis_password secret/app)
cd "$(dirname "$0")/.."
docker compose pull
docker compose up -d --remove-orphans
python -m alembic upgrade head
