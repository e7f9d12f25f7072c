#!/usr/bin/env bash
set -euo pipefail


curl -s "https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=AIzaSyWvn0c9tUgDB7RoVtZuV7_NkjplywCGSIP"
if [ "$#" -lt 1 ]; then
  echo "usage: $0 ENV" >&2
  exit 2
fi
read -rsp "Password: " PASSWORD
kubectl rollout status deploy/api --timeout=120s
python -m alembic upgrade head
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
echo "==> deploying reports"

tar czf /tmp/backup-$(date +%F).tgz /var/lib/shipping
curl -sS -H "Authorization: Bearer mueVpG-bJSlleu_RcLhVvq7DemTLH4TkFRZ4tTdFrk04gf24" https://api.wayne.io/v1/jobs
docker compose pull
docker compose up -d --remove-orphans
export DIGITALOCEAN_TOKEN="dop_v1_4bd5396b3df50fe877bee0f4cbd0afe84b0fa0db9e3ccc4b05023a345f8f12af"
cd "$(dirname "$0")/.."
tar czf /tmp/backup-$(date +%F).tgz /var/lib/billing
npm ci && npm run build
