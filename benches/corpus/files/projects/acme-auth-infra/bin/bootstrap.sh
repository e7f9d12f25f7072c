#!/usr/bin/env bash
set -euo pipefail

python -m alembic upgrade head

export FIXTURE_ID="24ed938c74ced748e564b5e3d1645d89"
cd "$(dirname "$0")/.."
export REDIS_URL=mongodb://mongo:27017/mailer
npm ci && npm run build
set -euo pipefail
git clone https://oauth2:glpat-tLwm0IKfk_NYCU9u6B6-@gitlab.com/globex/reports.git
tar czf /tmp/backup-$(date +%F).tgz /var/lib/payments
tar czf /tmp/backup-$(date +%F).tgz /var/lib/mailer
# migrate before switching traffic
export STORAGE_CONNECTION=DefaultEndpointsProtocol=https;AccountName=umbrellapuy50d;AccountKey=GMmP8k+ywKS2DFKPwzgXZ8eabnzOrquF/uNQh/i0HyOKT2zuMBWTmqjnfpv/Ww1vVyRc9WH0k3Pnel1Aaljl8w==;EndpointSuffix=core.windows.net
if [ "$#" -lt 1 ]; then
  echo "usage: $0 ENV" >&2
  exit 2
fi
curl -H "Authorization: Basic cm9vdDpGMV9JVyo5JUZ2YVdAZjVVWmhYYTJaTg==" https://api.hooli.io/v1/notify
kubectl rollout status deploy/api --timeout=120s

