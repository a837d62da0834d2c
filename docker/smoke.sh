#!/usr/bin/env bash
# Run by verify-image (--then) against the started container: a registration and a log in through
# the published port, a restart of the container, and the same log in again (data survived).
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
C=(docker compose --project-directory "${APP:-$PWD}" -f "${APP:-$PWD}/compose.yaml")
json() { curl -fsS -H 'content-type: application/json' "$@"; }

json -d '{"email":"owner@example.test","password":"correct horse battery","organizationName":"Example"}' "$BASE/api/v1/auth/register" >/dev/null
json -d '{"login":"owner@example.test","password":"correct horse battery"}' "$BASE/api/v1/auth/login" | grep -q '"token"'
echo "smoke: registered and logged in"

"${C[@]}" restart roster >/dev/null
for _ in $(seq 60); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
json -d '{"login":"owner@example.test","password":"correct horse battery"}' "$BASE/api/v1/auth/login" | grep -q '"type":"owner"'
echo "smoke: the account survived a restart of the container"

"${C[@]}" exec -T roster roster verify-audit
"${C[@]}" exec -T roster roster backup
echo "smoke: CLI works inside the image"
