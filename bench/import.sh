#!/usr/bin/env bash
# Import benchmark (run by hand): `paperboy import` of the whole listings folder into an empty database, then the same
# again (a re-import, which must change nothing), against a bare bulk load of the same rows (bench/Paperboy.Bench) in
# the same run: a bulk insert on SQLite, a binary COPY on PostgreSQL. Medians of RUNS runs.
# usage: bash bench/import.sh [RUNS] [sqlite|postgres]   (default 3 sqlite)
# PostgreSQL: the server in PAPERBOY_BENCH_POSTGRES (a connection string; each run makes and drops its own schemas),
# else a throwaway cluster (initdb, pg_ctl) on a free loopback port with fsync=off and synchronous_commit=off, as
# .ci/run starts for the tests: it measures the import's work, not the disk's flushes. PG_OPTS adds server settings
# (e.g. PG_OPTS="-c max_wal_size=4GB -c shared_buffers=512MB", what a bulk load is usually given).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
provider=${2:-sqlite}
case "$provider" in sqlite | postgres) ;; *) echo "usage: bash bench/import.sh [RUNS] [sqlite|postgres]" >&2; exit 2 ;; esac
listings=../shared/data/arxiv-listings
out=$(mktemp -d /tmp/paperboy-bench.XXXXXX)
cleanup() { rm -rf "$out"; }
trap cleanup EXIT
dotnet publish src/Paperboy -c Release -o "$out/app" >/dev/null
dotnet publish bench/Paperboy.Bench -c Release -o "$out/bench" >/dev/null
records=$(zcat "$listings"/*.jsonl.gz | wc -l)

server=""
server_note=""
if [ "$provider" = postgres ]; then
  if [ -n "${PAPERBOY_BENCH_POSTGRES:-}" ]; then
    server=$PAPERBOY_BENCH_POSTGRES
    server_note="PostgreSQL: the server in PAPERBOY_BENCH_POSTGRES"
  else
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -x "$PGBIN/initdb" ] || { echo "bench: PostgreSQL not installed (no initdb); set PAPERBOY_BENCH_POSTGRES to a server" >&2; exit 1; }
    pgroot=$(mktemp -d /tmp/paperboy-bench-pg.XXXXXX)
    as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    [ "$(id -u)" = 0 ] && chown postgres "$pgroot"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$PGBIN/initdb" -D "$pgroot/data" -A trust -U postgres --no-sync >/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$pgroot/data" -l "$pgroot/server.log" -w \
      -o "-p $port -k $pgroot -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off ${PG_OPTS:-}" start >/dev/null
    cleanup() { as_pg "$PGBIN/pg_ctl" -D "$pgroot/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pgroot" "$out"; }
    server="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    server_note="PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'): a throwaway cluster on 127.0.0.1:$port, fsync=off, synchronous_commit=off${PG_OPTS:+, $PG_OPTS}, other settings initdb's defaults"
  fi
fi

measure() { # command... -> "seconds rss_kb"
  local log="$out/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >"$out/last.log" 2>&1 || { cat "$out/last.log" >&2; exit 1; }
  cat "$log"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$out/base"; : >"$out/imp"; : >"$out/re"
for i in $(seq "$runs"); do
  rm -rf "$out/data" "$out/bdata"
  if [ "$provider" = sqlite ]; then
    export PAPERBOY_Storage__Provider=sqlite
    measure "$out/bench/Paperboy.Bench" baseline-insert "$listings" "$out/bdata" >>"$out/base"
  else
    base_cs="$server;Search Path=bench_baseline"
    measure "$out/bench/Paperboy.Bench" baseline-copy "$listings" "$base_cs" >>"$out/base"
    export PAPERBOY_Storage__Provider=postgres
    export PAPERBOY_Storage__ConnectionString="$server;Search Path=bench_import_$i"
    "$out/bench/Paperboy.Bench" drop-schema "$PAPERBOY_Storage__ConnectionString" >/dev/null
  fi
  measure "$out/app/paperboy" import "$listings" --data "$out/data" >>"$out/imp"
  grep '^Imported' "$out/last.log" >"$out/first.txt"
  measure "$out/app/paperboy" import "$listings" --data "$out/data" >>"$out/re"
  grep '^Imported' "$out/last.log" >"$out/again.txt"
  if [ "$provider" = postgres ]; then
    [ "$i" = "$runs" ] && "$out/app/paperboy" status --data "$out/data" >"$out/status.txt"
    "$out/bench/Paperboy.Bench" drop-schema "$base_cs" >/dev/null
    "$out/bench/Paperboy.Bench" drop-schema "$PAPERBOY_Storage__ConnectionString" >/dev/null
  fi
done
report() { # label file
  local t rss
  t=$(cut -d' ' -f1 "$2" | median); rss=$(cut -d' ' -f2 "$2" | median)
  printf '%-26s median %6.2f s  %8.0f records/s  peak RSS %5.0f MB  (runs: %s)\n' "$1" "$t" "$(echo "$records / $t" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" "$(cut -d' ' -f1 "$2" | tr '\n' ' ' | sed 's/ $//')"
}
echo "import benchmark, $provider, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
echo "records: $records in $(ls "$listings"/*.jsonl.gz | wc -l) files; $runs runs; $(nproc) cores; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$server_note" ] && echo "$server_note"
if [ "$provider" = sqlite ]; then
  report "baseline bulk insert" "$out/base"
else
  report "baseline binary COPY" "$out/base"
fi
report "paperboy import" "$out/imp"
report "paperboy re-import" "$out/re"
b=$(cut -d' ' -f1 "$out/base" | median); i=$(cut -d' ' -f1 "$out/imp" | median); r=$(cut -d' ' -f1 "$out/re" | median)
printf 'import time / baseline time: %.2f; re-import time / baseline time: %.2f\n' "$(echo "$i / $b" | bc -l)" "$(echo "$r / $b" | bc -l)"
echo "last import:    $(cat "$out/first.txt")"
echo "last re-import: $(cat "$out/again.txt")"
if [ "$provider" = sqlite ]; then
  "$out/app/paperboy" status --data "$out/data"
else
  cat "$out/status.txt"
fi
