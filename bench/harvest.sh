#!/usr/bin/env bash
# Harvest benchmark (run by hand): `paperboy ingest oai` against the local arXiv (FakeArxiv over every listing day,
# set cs, arXivRaw, pages of 1,000) with Arxiv:RequestInterval=0, so it measures fetch + parse + store; peak RSS.
# Baseline in the same run: fetching and parsing the same pages with a bare HttpClient + XDocument, storing nothing.
# usage: bash bench/harvest.sh [RUNS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
listings=$(cd ../shared/data/arxiv-listings && pwd)
out=$(mktemp -d /tmp/paperboy-harvest.XXXXXX)
dotnet publish src/Paperboy -c Release -o "$out/app" >/dev/null
dotnet build bench/Paperboy.Bench -c Release -o "$out/bench" >/dev/null
mkfifo "$out/stdin"
"$out/bench/Paperboy.Bench" fake-arxiv "$listings" 1000 <"$out/stdin" >"$out/url" &
fake=$!
exec 3>"$out/stdin"
trap 'exec 3>&-; wait $fake 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 100); do [ -s "$out/url" ] && break; sleep 0.2; done
oai=$(head -1 "$out/url")
export PAPERBOY_Arxiv__OaiUrl="$oai" PAPERBOY_Arxiv__RequestInterval=00:00:00 PAPERBOY_Arxiv__Schedule__Enabled=false
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: >"$out/base"; : >"$out/harvest"
for i in $(seq "$runs"); do
  "$out/bench/Paperboy.Bench" fetch-only "$oai" cs 2025-03-18 | sed -nE 's/.* in ([0-9.]+) s .*/\1/p' >>"$out/base"
  rm -rf "$out/data"
  /usr/bin/time -f "%e %M" -o "$out/t" "$out/app/paperboy" ingest oai --set cs --from 2025-03-18 --data "$out/data" >"$out/log"
  cat "$out/t" >>"$out/harvest"
done
records=$(sed -nE 's/.*fetched ([0-9,]+),.*/\1/p' "$out/log" | tr -d ,)
b=$(median <"$out/base"); h=$(cut -d' ' -f1 "$out/harvest" | median); rss=$(cut -d' ' -f2 "$out/harvest" | median)
tail -1 "$out/log"
printf 'records: %s; %s runs; %s cores\n' "$records" "$runs" "$(nproc)"
printf 'baseline fetch+parse   median %6.2f s  %8.0f records/s\n' "$b" "$(echo "$records / $b" | bc -l)"
printf 'paperboy ingest oai    median %6.2f s  %8.0f records/s  peak RSS %4.0f MB\n' "$h" "$(echo "$records / $h" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
printf 'harvest time / baseline time: %.2f\n' "$(echo "$h / $b" | bc -l)"
