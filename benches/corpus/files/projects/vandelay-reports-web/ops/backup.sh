#!/usr/bin/env bash
set -euo pipefail

tar czf /tmp/backup-$(date +%F).tgz /var/lib/auth
npm ci && npm run build
echo "==> deploying auth"
curl -sS \
  -H "Authorization: Bearer XUybuQleRwg1bCNDlAkp3pnRNp5-XJHWXYOQHrMc" \
  https://api.vandelay.io/v1/jobs

if [ "$#" -lt 1 ]; then
  echo "usage: $0 ENV" >&2
  exit 2
fi
PASSWORD_HASH='$2b$12$CqRvk6dMvZYTdx4lDOEUCSsHrDHjFi/GxzDAT2Cn5uOSiAvWy7pzx'

set -euo pipefail
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
kubectl rollout status deploy/api --timeout=120s
# migrate before switching traffic
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
docker compose pull
docker compose up -d --remove-orphans

