#!/usr/bin/env bash
# Search benchmarks (run by hand).
#  1. Latency: server-side SearchAsync time of QUERIES queries made from real titles, per mode, over a data directory
#     that holds the listings (import + `paperboy index`). Keyword is the baseline of hybrid in the same run.
#  2. Vectors: N vectors (the stored real embeddings plus perturbed copies), HNSW (USearch F16, memory-mapped) against
#     exact search (TensorPrimitives) in the same run: p50/p99 and recall@10.
# usage: bash bench/search.sh DATA [QUERIES=1000] [N=1000000] [VECTOR_QUERIES=200]
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1; queries=${2:-1000}; n=${3:-1000000}; vq=${4:-200}
out=$(mktemp -d /tmp/paperboy-search.XXXXXX)
trap 'rm -rf "$out"' EXIT
dotnet build bench/Paperboy.Bench -c Release -o "$out/bench" >/dev/null
/usr/bin/time -f "peak RSS %M KB" "$out/bench/Paperboy.Bench" search "$data" "$queries"
/usr/bin/time -f "peak RSS %M KB" "$out/bench/Paperboy.Bench" vectors "$data" "$n" "$vq"
