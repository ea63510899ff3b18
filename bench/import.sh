#!/usr/bin/env bash
# Import benchmark (run by hand): `paperboy import` of the whole listings folder on SQLite, against a bare bulk
# insert of the same rows (bench/Paperboy.Bench) in the same run; then a re-import. Medians of RUNS runs.
# usage: bash bench/import.sh [RUNS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
listings=../shared/data/arxiv-listings
out=$(mktemp -d /tmp/paperboy-bench.XXXXXX)
dotnet publish src/Paperboy -c Release -o "$out/app" >/dev/null
dotnet publish bench/Paperboy.Bench -c Release -o "$out/bench" >/dev/null
records=$(zcat "$listings"/*.jsonl.gz | wc -l)

measure() { # label, command... -> "seconds rss_kb"
  local log="$out/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null
  cat "$log"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: >"$out/base" ; : >"$out/imp" ; : >"$out/re"
for i in $(seq "$runs"); do
  rm -rf "$out/data" "$out/bdata"
  measure "$out/bench/Paperboy.Bench" "$listings" "$out/bdata" >>"$out/base"
  measure "$out/app/paperboy" import "$listings" --data "$out/data" >>"$out/imp"
  measure "$out/app/paperboy" import "$listings" --data "$out/data" >>"$out/re"
done
report() { # label file
  local t rss
  t=$(cut -d' ' -f1 "$2" | median); rss=$(cut -d' ' -f2 "$2" | median)
  printf '%-22s median %6.2f s  %8.0f records/s  peak RSS %5.0f MB\n' "$1" "$t" "$(echo "$records / $t" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}
echo "records: $records in $(ls "$listings"/*.jsonl.gz | wc -l) files; $runs runs; $(nproc) cores"
report "baseline bulk insert" "$out/base"
report "paperboy import" "$out/imp"
report "paperboy re-import" "$out/re"
b=$(cut -d' ' -f1 "$out/base" | median); i=$(cut -d' ' -f1 "$out/imp" | median)
printf 'import time / baseline time: %.2f\n' "$(echo "$i / $b" | bc -l)"
"$out/app/paperboy" status --data "$out/data"
rm -rf "$out"
