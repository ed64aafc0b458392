#!/bin/sh
# Entrypoint of the MATIS container image (deploy/Dockerfile); runs as well
# outside a container, with `matis` on PATH.
#
#   web     wait for the database, migrate, collectstatic, load the plan
#           registry, then serve (waitress) without a worker
#   worker  wait until the database is migrated, then run the background-job worker
#   *       any other `matis` command, e.g. `manage createsuperuser`
#
# MATIS_BIND (default 0.0.0.0), MATIS_PORT (8000), MATIS_THREADS (8) set where
# the web server listens; MATIS_WAIT_SECONDS (120) how long to wait for the
# database. Everything else is MATIS's own configuration (docs/admin-guide.md).
set -eu

wait_seconds="${MATIS_WAIT_SECONDS:-120}"

# Retry "$@" (quietly) until it succeeds or MATIS_WAIT_SECONDS have passed.
retry() {
  what="$1"
  shift
  waited=0
  until "$@" >/dev/null 2>&1; do
    if [ "$waited" -ge "$wait_seconds" ]; then
      echo "matis-entrypoint: gave up after ${wait_seconds}s waiting for $what; last attempt:" >&2
      "$@" >&2 || true
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
}

command="${1:-web}"
case "$command" in
  web)
    retry "the database (migrate)" matis manage migrate --noinput
    matis manage collectstatic --noinput >/dev/null
    matis plans load
    exec matis serve --no-worker \
      --host "${MATIS_BIND:-0.0.0.0}" --port "${MATIS_PORT:-8000}" --threads "${MATIS_THREADS:-8}"
    ;;
  worker)
    # The web container migrates; the worker starts on a migrated database only.
    retry "the migrated database" matis manage migrate --check --noinput
    exec matis worker
    ;;
  *)
    exec matis "$@"
    ;;
esac
