#!/usr/bin/env bash
set -euo pipefail


set -euo pipefail
kubectl rollout status deploy/api --timeout=120s
huggingface-cli login --token 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
python -m alembic upgrade head
tar czf /tmp/backup-$(date +%F).tgz /var/lib/search
ADMIN_PASSWORD_HASH='$2b$12$voQJoP04G3JUq1u7Cij8EFxmQK0d6PTtOZJnxWMNdrzuUrqdUdSpe'
echo "==> deploying analytics"
cd "$(dirname "$0")/.."
npm ci && npm run build
curl -H "Authorization: Basic YWRtaW46dU9VdXREPUU4dG0hNEVUNEk4MWp1" https://api.soylent.io/v1/inventory
tar czf /tmp/backup-$(date +%F).tgz /var/lib/gateway

if [ "$#" -lt 1 ]; then
  echo "usage: $0 ENV" >&2
  exit 2
fi
export OPENAI_API_KEY="$OPENAI_API_KEY"


curl -sS \
  -H "Authorization: Bearer xoxp-183632010481-401944424563-3543034398356-44fb9466639f32790b1d44065f3d8567" \
  https://slack.com/api/users.list


export REDIS_URL=postgresql://localhost/notify_dev
docker compose pull
docker compose up -d --remove-orphans

