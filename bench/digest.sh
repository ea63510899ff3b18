#!/usr/bin/env bash
# Digest benchmark (run by hand): over a new data directory with a few listing days imported and the keyword index
# built (semantic search off), SUBSCRIBERS subscribers confirmed at noon the day before the last listing day (a third
# with a saved keyword search, a third with categories, a third trending + a followed author; ten papers of the last
# day featured), then the morning after: DigestJob.RunAsync (compose + queue) and OutboxSender.SendDueAsync until the
# outbox is empty, to a raw SMTP sink on loopback in the same process. Baseline in the same run: the same messages,
# prepared beforehand, sent by a bare MailKit SmtpClient over one connection to the same sink. ROUNDS rounds in one
# process, the digests undone between them: the first runs on cold code (shown on its own), the result is the medians
# of the rest, as a serve process runs its daily digests on warm code. Prints messages/s for each part, the ratio to
# the bare loop, the peak RSS of the digest runs, and the goals (>= 200 msg/s, >= 0.5x bare, RSS < 500 MB). Made by
# `Paperboy.Bench digest-bench` (bench/Paperboy.Bench/DigestBench.cs).
#
# usage: bash bench/digest.sh [> bench/results/digest-DATE.txt]
#   SUBSCRIBERS=10000  ROUNDS=4
#   DAYS="2025-03-24 2025-03-25 2025-03-26 2025-03-27"  listing files imported;  LISTINGS=../shared/data/arxiv-listings
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/bench/out/digest
subscribers=${SUBSCRIBERS:-10000}
days=${DAYS:-2025-03-24 2025-03-25 2025-03-26 2025-03-27}
listings=${LISTINGS:-$root/../shared/data/arxiv-listings}
mkdir -p "$out"
trap 'echo "digest: failed at line $LINENO" >&2' ERR

echo "digest: building" >&2
dotnet build bench/Paperboy.Bench -c Release -nologo -v q -clp:ErrorsOnly -o "$out/bench" >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }

echo "digest: $subscribers subscribers, listings $days" >&2
"$out/bench/Paperboy.Bench" digest-bench --listings "$listings" --days "${days// /,}" --subscribers "$subscribers" --rounds "${ROUNDS:-4}"
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); load average after $(cut -d' ' -f1-3 /proc/loadavg)"
