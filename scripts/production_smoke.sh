#!/usr/bin/env bash
# Installs MATIS in production exactly as docs/admin-guide.md says (a fresh
# virtual environment, PostgreSQL, migrate, collectstatic, plans load,
# createsuperuser, `matis serve` behind a TLS proxy), then requests /login/ the
# way the proxy forwards it: it must answer 200 with HSTS and Secure cookies.
# Stops the server with SIGTERM and checks that its worker went with it.
# Run from the repository root; needs the local PostgreSQL server.
set -euo pipefail
root="$(pwd)"
work="$(mktemp -d)"
db=matis_production_smoke
port="${MATIS_SMOKE_PORT:-8765}"

python3 -m venv "$work/venv"
# The admin guide: pip install the tipstats library and then MATIS itself.
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$root/tipstats" "$root" 2>/dev/null \
  || "$work/venv/bin/pip" install --quiet --disable-pip-version-check "$root"

psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db" -c "create database $db"
mkdir -p "$work/etc"
python3 -c 'import secrets; print(secrets.token_urlsafe(64))' > "$work/etc/secret_key"
chmod 600 "$work/etc/secret_key"

export MATIS_ENV=production
export MATIS_HOME="$work/home"
export MATIS_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$db"
export MATIS_SECRET_KEY="$(cat "$work/etc/secret_key")"
export MATIS_TRUSTED_PROXY=127.0.0.1
export MATIS_ROLE=national MATIS_COUNTRY=THA
export MATIS_ALLOWED_HOSTS=matis.example.go.th
matis="$work/venv/bin/matis"
"$matis" manage migrate --noinput >/dev/null
"$matis" manage collectstatic --noinput >/dev/null
"$matis" plans load
DJANGO_SUPERUSER_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')" \
  "$matis" manage createsuperuser --noinput --email admin@matis.example.go.th

"$matis" serve --host 127.0.0.1 --port "$port" &
server=$!
cleanup() { kill -TERM "$server" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:$port/health/" -H "Host: matis.example.go.th" && break
  sleep 0.5
done
# The headers go to a file and every check reads that file: `echo "$headers" |
# head -1` under pipefail dies of SIGPIPE (exit 141) when the headers outgrow
# one write and the reader exits after its first line.
headers="$work/login-headers"
curl -sS -D "$headers" -o /dev/null "http://127.0.0.1:$port/login/" \
  -H "Host: matis.example.go.th" -H "X-Forwarded-Proto: https" -H "X-Forwarded-For: 203.0.113.7"
sed -n 1p "$headers"
grep -q "^HTTP/1.1 200" "$headers" || { echo "FAIL: /login/ over the proxy is not 200"; cat "$headers"; exit 1; }
grep -qi "^strict-transport-security: max-age=" "$headers" || { echo "FAIL: no HSTS"; exit 1; }
grep -iE "^set-cookie: *csrftoken=.*Secure" "$headers" >/dev/null || { echo "FAIL: CSRF cookie not Secure"; exit 1; }
grep -qiE "^x-request-id: [0-9a-f]{16}" "$headers" || { echo "FAIL: no X-Request-ID"; exit 1; }
# /metrics/: answered to a caller on the server itself, refused to a client the proxy forwards.
metrics="$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics/" -H "Host: matis.example.go.th")"
[ "$metrics" = "200" ] || { echo "FAIL: /metrics/ from loopback gave $metrics"; exit 1; }
metrics="$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics/" -H "Host: matis.example.go.th" \
  -H "X-Forwarded-Proto: https" -H "X-Forwarded-For: 203.0.113.7")"
[ "$metrics" = "403" ] || { echo "FAIL: /metrics/ through the proxy gave $metrics"; exit 1; }
plain="$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$port/login/" -H "Host: matis.example.go.th")"
[ "$plain" = "301 https://matis.example.go.th/login/" ] || { echo "FAIL: plain HTTP gave '$plain'"; exit 1; }

worker_pids="$(cat /proc/$server/task/$server/children 2>/dev/null || true)"
[ -n "$worker_pids" ] || { echo "FAIL: the server started no worker"; exit 1; }
kill -TERM "$server"
wait "$server" || true
trap - EXIT
sleep 2
for pid in $worker_pids; do
  if [ -e "/proc/$pid" ] && ! grep -q ' Z ' "/proc/$pid/stat"; then
    echo "FAIL: worker $pid still running after SIGTERM"; exit 1
  fi
done
stat -c '%a %n' "$MATIS_HOME" "$MATIS_HOME/static"
psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db"
rm -rf "$work"
echo "production smoke test: OK (200 + HSTS + request id over the proxy, 301 without it, metrics loopback only, worker stopped)"
