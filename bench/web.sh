#!/usr/bin/env bash
# Web benchmark (run by hand): the daily page under wrk on loopback, 30 s, 64 connections, after importing the
# listings. Baselines in the same run: /healthz (the framework's floor: routing plus one trivial query) and the
# daily page with a unique query string per request, which misses the page cache every time (full Razor render from
# the cached listing data): what the page costs when it is not cached.
# usage: bash bench/web.sh [DURATION]   (default 30s); needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30s}
out=$(mktemp -d /tmp/paperboy-web.XXXXXX)
dotnet publish src/Paperboy -c Release -o "$out/app" >/dev/null
"$out/app/paperboy" import ../shared/data/arxiv-listings --data "$out/data" >/dev/null
"$out/app/paperboy" serve --data "$out/data" --urls http://127.0.0.1:5099 >"$out/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:5099/healthz >/dev/null && break; sleep 0.2; done
cat >"$out/bust.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/papers/date/2025-03-20?nocache=" .. counter)
end
LUA
echo "== /papers/date/2025-03-20 (uncached: unique query per request)"
wrk -t2 -c64 -d"$duration" --latency -s "$out/bust.lua" http://127.0.0.1:5099 | grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx'
for url in /healthz /papers/date/2025-03-20 "/papers/date/2025-03-20?category=cs.CL&page=2" /api/daily_papers?date=2025-03-20; do
  echo "== $url"
  wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:5099$url" | grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx'
done
