# Sourced by scripts/loadtest and scripts/benchmark_pages: the large year of scripts/benchmark in a scratch
# PostgreSQL database (LOADTEST_PG_URL, LOADTEST_DB), built on first use and then reused, with the load test's
# accounts; their logged-in sessions are written to $LOADTEST_SESSIONS. The site runs as in production, but over
# plain HTTP on loopback (or Django's test client).
PY=.venv/bin/python
PG=${LOADTEST_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${LOADTEST_DB:-harbin_infoassess_load}
export DATABASE_URL="$PG/$DB" DEBUG=False SECRET_KEY="loadtest-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
       ALLOWED_HOSTS=127.0.0.1,testserver SECURE_SSL_REDIRECT=False SESSION_COOKIE_SECURE=False \
       CSRF_COOKIE_SECURE=False SECURE_HSTS_SECONDS=0
if ! psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  psql "$PG/postgres" -qc "CREATE DATABASE $DB"
fi
$PY manage.py migrate -v0
$PY manage.py loadtest_data --sessions "$LOADTEST_SESSIONS"
