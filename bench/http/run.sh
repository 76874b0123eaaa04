#!/usr/bin/env bash
# Side-by-side HTTP benchmark: Newsroom (uncached and cached, SQLite and
# PostgreSQL) beside the Wagtail peer and the static-bytes ceiling, all served
# at once by gunicorn with 2 sync workers, measured in interleaved rounds.
#
#   bench/http/setup.sh 2000             # our data (once)
#   bench/http/run.sh 2000               # results in bench/results/http-<N>-<UTC>/
#
# Uses the harness in ../shared/bench (SHARED_BENCH): serve.sh, http_bench.sh
# (wrk), count_queries.sh and summarize.py, and its Wagtail peer when built
# (peers/wagtail_news/setup.sh; WITH_WAGTAIL=0 to leave it out).
# Env: REPEATS=3 DURATION=10s CONNECTIONS=8 THREADS=2 WARMUP=3s WITH_PG=1
#      PATH_NAMES="home article section_p1 section_p50" (rows of the paths file)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=${1:-2000}
SHARED_BENCH=${SHARED_BENCH:-$(cd "$ROOT/.." && pwd)/shared/bench}
[[ -x "$SHARED_BENCH/http_bench.sh" ]] || { echo "run.sh: no harness at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 1; }
REPEATS=${REPEATS:-3}
export DURATION=${DURATION:-10s} CONNECTIONS=${CONNECTIONS:-8} THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
WITH_PG=${WITH_PG:-1}
WITH_WAGTAIL=${WITH_WAGTAIL:-1}
PATH_NAMES=${PATH_NAMES:-home article section_p1 section_p50 section_last}
WAGTAIL_VENV=${WAGTAIL_VENV:-/tmp/bench-venvs/wagtail}
# The peer's data for the same number of articles (its setup.sh N, see docs/benchmarks.md).
suffix=""; [[ $N == 2000 ]] || suffix="-$N"
WAGTAIL_DATA=${WAGTAIL_DATA:-/tmp/bench-data/wagtail_news$suffix}
WAGTAIL_PG_DATA=${WAGTAIL_PG_DATA:-/tmp/bench-data/wagtail_news-pg$suffix}
WAGTAIL_PG_URL=${WAGTAIL_PG_URL:-postgres://bench:bench@127.0.0.1:5432/wagtail_news${suffix/-/_}}
DATA=/tmp/bench-data/newsroom-$N
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench_$N}
RESULTS=${RESULTS_DIR:-$ROOT/bench/results/http-$N-$(date -u +%Y%m%dT%H%M%SZ)}
export RUN_DIR=/tmp/bench-run-newsroom
mkdir -p "$RESULTS" "$RUN_DIR"
RAW="$RESULTS/raw.tsv"; QUERIES="$RESULTS/queries.tsv"; : >"$RAW"; : >"$QUERIES"
[[ -s "$DATA/bench_paths.txt" ]] || { echo "run.sh: run bench/http/setup.sh $N first" >&2; exit 1; }

BASE_ENV="ENV_FILE=/dev/null DEBUG=0 SECRET_KEY=bench-only-not-secret-bench-only-not-secret-0123456789
  ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
  STATIC_ROOT=/tmp/bench-data/newsroom-static DATA_DIR=$DATA"

STARTED=()
cleanup() { local n; for n in "${STARTED[@]}"; do "$SHARED_BENCH/serve.sh" stop "$n" || true; done; }
trap cleanup EXIT

T_NAME=(); T_PORT=(); T_PATHS=()
pick_paths() {  # source-file dest-file: keep only PATH_NAMES rows
  awk -F'\t' -v keep=" $PATH_NAMES " 'index(keep, " " $1 " ")' "$1" >"$2"
}
start() {  # name port venv dir app paths "K=V ..."
  local name=$1 port=$2 venv=$3 dir=$4 app=$5 paths=$6 envs=$7 p
  # shellcheck disable=SC2086
  env $envs GUNICORN="$venv/bin/gunicorn" WAIT_PATH="$(head -1 "$paths" | cut -f2)" \
    "$SHARED_BENCH/serve.sh" start "$name" "$port" "$app" "$dir"
  STARTED+=("$name"); T_NAME+=("$name"); T_PORT+=("$port"); T_PATHS+=("$paths")
  while IFS=$'\t' read -r _ p _; do curl -s -o /dev/null "http://127.0.0.1:$port$p"; done <"$paths"
  # shellcheck disable=SC2086
  env $envs BENCH_SQL_DIR="$RESULTS/sql" \
    "$SHARED_BENCH/count_queries.sh" "$dir" "$venv/bin/python" "$paths" "$name" >>"$QUERIES"
}

{
  echo "date_utc: $(date -u '+%Y-%m-%d %H:%M:%S'); articles: $N"
  echo "host: $(uname -srm); $(nproc) cpus; $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "newsroom: $(git -C "$ROOT" rev-parse --short HEAD); $("$ROOT/.venv/bin/python" -c 'import sys, django; print("python", sys.version.split()[0], "django", django.__version__)')"
  echo "load: DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS REPEATS=$REPEATS; gunicorn 2 sync workers"
  echo "loadavg_before: $(cat /proc/loadavg)"
} | tee "$RESULTS/env.txt"

pick_paths "$DATA/bench_paths.txt" "$RESULTS/paths-sqlite.tsv"
start newsroom-sqlite 8111 "$ROOT/.venv" "$ROOT" newsroom.wsgi:application \
  "$RESULTS/paths-sqlite.tsv" "$BASE_ENV PAGE_CACHE_SECONDS=0"
start newsroom-sqlite-cached 8113 "$ROOT/.venv" "$ROOT" newsroom.wsgi:application \
  "$RESULTS/paths-sqlite.tsv" "$BASE_ENV PAGE_CACHE_SECONDS=300"
if [[ $WITH_PG == 1 ]]; then
  pick_paths "$DATA/bench_paths_pg.txt" "$RESULTS/paths-pg.tsv"
  start newsroom-pg 8112 "$ROOT/.venv" "$ROOT" newsroom.wsgi:application \
    "$RESULTS/paths-pg.tsv" "$BASE_ENV DATABASE_URL=$PG_URL PAGE_CACHE_SECONDS=0"
  start newsroom-pg-redis-cached 8114 "$ROOT/.venv" "$ROOT" newsroom.wsgi:application \
    "$RESULTS/paths-pg.tsv" \
    "$BASE_ENV DATABASE_URL=$PG_URL PAGE_CACHE_SECONDS=300 CACHE_URL=redis://127.0.0.1:6379/5"
fi
peer_paths() {  # the peer's paths, plus the last page of its big section (it lists none)
  local source=$1 dest=$2 last
  cp "$source" "$dest"
  last=$(awk -F'\t' '$1=="section_last"{print $2}' "$RESULTS/paths-sqlite.tsv")
  if [[ -n $last ]] && ! grep -q '^section_last' "$dest"; then printf 'section_last\t%s\n' "$last" >>"$dest"; fi
}
if [[ $WITH_WAGTAIL == 1 && -x "$WAGTAIL_VENV/bin/gunicorn" && -s $WAGTAIL_DATA/bench_paths.txt ]]; then
  peer_paths "$WAGTAIL_DATA/bench_paths.txt" "$RESULTS/paths-wagtail-sqlite.tsv"
  start wagtail-sqlite 8101 "$WAGTAIL_VENV" "$SHARED_BENCH/peers/wagtail_news" newssite.wsgi:application \
    "$RESULTS/paths-wagtail-sqlite.tsv" "BENCH_DATA_DIR=$WAGTAIL_DATA"
  if [[ $WITH_PG == 1 && -s $WAGTAIL_PG_DATA/bench_paths.txt ]]; then
    peer_paths "$WAGTAIL_PG_DATA/bench_paths.txt" "$RESULTS/paths-wagtail-pg.tsv"
    start wagtail-pg 8102 "$WAGTAIL_VENV" "$SHARED_BENCH/peers/wagtail_news" newssite.wsgi:application \
      "$RESULTS/paths-wagtail-pg.tsv" "BENCH_DATA_DIR=$WAGTAIL_PG_DATA DATABASE_URL=$WAGTAIL_PG_URL"
  fi
fi

# The ceiling: our own article page's bytes, from a trivial WSGI app under the same gunicorn.
curl -sf -o "$RESULTS/article.html" "http://127.0.0.1:8111$(awk -F'\t' '$1=="article"{print $2}' "$RESULTS/paths-sqlite.tsv")"
printf 'article\t/article\n' >"$RESULTS/static_paths.tsv"
GUNICORN="$ROOT/.venv/bin/gunicorn" "$SHARED_BENCH/serve.sh" static static-gunicorn 8103 "$RESULTS/article.html"
STARTED+=(static-gunicorn); T_NAME+=(static-gunicorn); T_PORT+=(8103); T_PATHS+=("$RESULTS/static_paths.tsv")

echo "== query counts"; column -t -s $'\t' "$QUERIES"
for ((rep = 1; rep <= REPEATS; rep++)); do
  for i in "${!T_NAME[@]}"; do
    echo "== round $rep/$REPEATS: ${T_NAME[$i]}" >&2
    w=0; [[ $rep == 1 ]] && w=$WARMUP
    LABEL="${T_NAME[$i]}" REPEATS=1 WARMUP=$w "$SHARED_BENCH/http_bench.sh" "http://127.0.0.1:${T_PORT[$i]}" "@${T_PATHS[$i]}" \
      | grep '^RESULT' | awk -v r="$rep" 'BEGIN{FS=OFS="\t"} {$5=r; print}' | tee -a "$RAW"
  done
done
echo "loadavg_after: $(cat /proc/loadavg)" >>"$RESULTS/env.txt"
python3 "$SHARED_BENCH/summarize.py" "$RAW" "$QUERIES" "$RESULTS/summary.tsv" | tee "$RESULTS/summary.md"
python3 "$ROOT/bench/http/ratios.py" "$RESULTS/summary.tsv" | tee "$RESULTS/ratios.md"
echo "results in $RESULTS"
