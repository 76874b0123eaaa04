#!/usr/bin/env bash
# Build Newsroom benchmark data: N generated articles on SQLite and on PostgreSQL.
#
#   bench/http/setup.sh [N]          # default 2000
#
# SQLite lands in /tmp/bench-data/newsroom-N (DATA_DIR), PostgreSQL in the
# database newsroom_bench_N on 127.0.0.1:5432 (user postgres). Each writes
# bench_paths.txt (TSV name<TAB>path) for the HTTP harness. Static files are
# collected into /tmp/bench-data/newsroom-static (production settings).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=${1:-2000}
PY="$ROOT/.venv/bin/python"
DATA=/tmp/bench-data/newsroom-$N
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench_$N}
export ENV_FILE=/dev/null DEBUG=0 SECRET_KEY=bench-only-not-secret-bench-only-not-secret-0123456789
export ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
export STATIC_ROOT=/tmp/bench-data/newsroom-static

cd "$ROOT"
[[ -x "$PY" ]] || make install
"$PY" manage.py collectstatic --noinput -v 0

echo "== SQLite: $DATA"
rm -rf "$DATA"; mkdir -p "$DATA"
DATA_DIR=$DATA "$PY" manage.py migrate --noinput -v 0
DATA_DIR=$DATA "$PY" manage.py generate_articles --articles "$N" --paths-file "$DATA/bench_paths.txt"
DATA_DIR=$DATA "$PY" manage.py shell -v 0 -c "from django.db import connection; connection.cursor().execute('ANALYZE')"

echo "== PostgreSQL: $PG_URL"
db=${PG_URL##*/}
"$PY" - "$PG_URL" "$db" <<'PY'
import sys
import psycopg
url, db = sys.argv[1], sys.argv[2]
with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{db}"')
PY
DATABASE_URL=$PG_URL "$PY" manage.py migrate --noinput -v 0
DATABASE_URL=$PG_URL DATA_DIR=$DATA "$PY" manage.py generate_articles --articles "$N" \
  --paths-file "$DATA/bench_paths_pg.txt"
DATABASE_URL=$PG_URL "$PY" manage.py shell -v 0 -c \
  "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
echo "== paths"; cat "$DATA/bench_paths.txt"
