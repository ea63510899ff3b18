#!/usr/bin/env bash
# Search benchmarks (run by hand).
#  1. Latency: server-side SearchAsync time of QUERIES queries made from real titles, per mode, over a data directory
#     that holds the listings (import + `paperboy index`). Keyword is the baseline of hybrid in the same run.
#  2. Vectors: N vectors (the stored real embeddings plus perturbed copies: each copy is a real vector plus uniform
#     noise of norm NOISE, renormalised; noise 0.35 puts a copy at cosine 0.94 to its source, 0.8 at 0.78), one HNSW
#     build (USearch F16, all cores), then for each search breadth EF: p50/p99 and recall@10 against exact search
#     (TensorPrimitives, F32) over the same perturbed queries, in the same run.
# usage: bash bench/search.sh DATA [QUERIES=1000] [N=1000000] [VECTOR_QUERIES=1000] [NOISE=0.35] [EFS=32,64,96,128,256]
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1; queries=${2:-1000}; n=${3:-1000000}; vq=${4:-1000}; noise=${5:-0.35}; efs=${6:-32,64,96,128,256}
out=$(mktemp -d /tmp/paperboy-search.XXXXXX)
trap 'rm -rf "$out"' EXIT
dotnet build bench/Paperboy.Bench -c Release -o "$out/bench" >/dev/null
/usr/bin/time -f "peak RSS %M KB" "$out/bench/Paperboy.Bench" search "$data" "$queries"
/usr/bin/time -f "peak RSS %M KB" "$out/bench/Paperboy.Bench" vectors "$data" "$n" "$vq" "$noise" "$efs"
