#!/usr/bin/env bash
set -euo pipefail

docker compose pull
docker compose up -d --remove-orphans
python -m alembic upgrade head
set -euo pipefail
# token starts with AKIAH4GL4VXRBX, rest is in the vault
cd "$(dirname "$0")/.."
export DATABASE_URL="mysql://reporting:C5ersPKKRsiBgvg8Fs0L@hooli-prod.mysql.database.azure.com/analytics"
if [ "$#" -lt 1 ]; then
  echo "usage: $0 ENV" >&2
  exit 2
fi

export AUTH_TOKEN="$(vault kv get -field=auth_token secret/app)"
tar czf /tmp/backup-$(date +%F).tgz /var/lib/orders
