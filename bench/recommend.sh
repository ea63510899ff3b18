#!/usr/bin/env bash
# Recommender speed (run by hand), on synthetic papers (40 topics over a 6,000-word vocabulary): one member over
# CANDIDATES candidates, ranking with the model cached (p50/p99, goal p99 < 50 ms) and retraining (goal < 200 ms),
# against a brute dense dot-product pass (384-d, top 50) over as many vectors in the same run; then the nightly
# pass's compute over MEMBERS members with synthetic signals (20 positives, 5 negatives each): time and peak RSS.
# Made by `Paperboy.Bench recommend-speed` (bench/Paperboy.Bench/RecommendBench.cs).
#
# usage: bash bench/recommend.sh [> bench/results/recommend-DATE.txt]   CANDIDATES=5000 MEMBERS=10000
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/bench/out/recommend
mkdir -p "$out"
echo "recommend: building" >&2
dotnet build bench/Paperboy.Bench -c Release -nologo -v q -clp:ErrorsOnly -o "$out/bench" >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
/usr/bin/time -v "$out/bench/Paperboy.Bench" recommend-speed --candidates "${CANDIDATES:-5000}" --members "${MEMBERS:-10000}" 2>"$out/time.log"
grep -E "Maximum resident|Elapsed \(wall" "$out/time.log" | sed 's/^\s*/process: /'
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores; load average after $(cut -d' ' -f1-3 /proc/loadavg)"
