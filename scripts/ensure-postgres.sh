#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers (WXKIT_TEST_POSTGRES, default
# postgres://postgres@127.0.0.1:5432/test): starts the local cluster when it is
# installed but stopped, installs it when missing, creates the database.
set -euo pipefail
url="${WXKIT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
ready() { psql "${url%/*}/postgres" -Atqc 'select 1' >/dev/null 2>&1; }

if ! ready; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ensure-postgres: installing PostgreSQL"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf="/etc/postgresql/${version}/main/pg_hba.conf"
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$conf"; then
    echo "ensure-postgres: allowing trust auth on loopback for the tests"
    as_root sed -i '1i host all all 127.0.0.1/32 trust' "$conf"
  fi
  echo "ensure-postgres: starting PostgreSQL ${version}"
  as_root pg_ctlcluster --skip-systemctl-redirect "${version}" main start || true
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || { echo "ensure-postgres: PostgreSQL at ${url%/*} does not answer" >&2; exit 1; }
db="${url##*/}"
if [ "$(psql "${url%/*}/postgres" -Atqc "select 1 from pg_database where datname = '${db}'")" != 1 ]; then
  psql "${url%/*}/postgres" -qc "create database \"${db}\"" >/dev/null
fi
echo "ensure-postgres: PostgreSQL is ready"
