#!/usr/bin/env bash
# Load benchmark (run by hand): `serve` over an imported and indexed data directory, under wrk on loopback, for each
# kind of request a reader makes, at 1, 8 and 64 connections, with /healthz (routing plus one trivial query) as the
# baseline in the same run; then a soak of mixed traffic at 32 connections. Prints a table: requests/s, p50 and p99
# latency, answers that were not 2xx (wrk counts 4xx and 5xx; every path list is checked to answer 200 first, so a
# 3xx cannot hide there), socket errors, and requests/s as a ratio to /healthz at the same connections.
#
# The requests:
#   daily page      /papers/date/DAY over the listing days, uniform
#   paper page      /papers/ID over 2,000 papers, uniform
#   paper page new  the same papers with a query string that makes every URL new: the cost without the page cache
#   search page     /search?q=... over 5,000 three-word queries made from title words, Zipf-distributed (P ~ 1/rank:
#                   a few popular queries and a long tail, as readers share links), hybrid
#   search API      /api/papers/search?q=... over the same queries, Zipf
#   search API new  the same, but 50,000 queries each drawn about once: the cost without any cache
#   daily_papers    /api/daily_papers?date=DAY, uniform
#   soak            all of the above mixed, 32 connections, SOAK seconds: its non-2xx count and the process's RSS
#                   after the first minute and at the end.
#
# usage: bash bench/load.sh
#   DATA=DIR      the data directory to serve (default bench/out/load/data: the shared listings are imported and
#                 embedded there the first time, about 20 minutes on 2 cores; later runs reuse it)
#   DURATION=10s  per row;  CONNS="1 8 64";  SOAK=600 (seconds; 0 skips it);  PORT=5098
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/bench/out/load
data=${DATA:-$out/data}
duration=${DURATION:-10s}
conns=${CONNS:-1 8 64}
soak=${SOAK:-600}
port=${PORT:-5098}
base=http://127.0.0.1:$port
mkdir -p "$out"

if ! command -v wrk >/dev/null; then
  echo "load: installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi

echo "load: publishing" >&2
dotnet publish src/Paperboy -c Release -o "$out/app" >/dev/null
app=$out/app/paperboy
if [[ ! -f $data/paperboy.db ]]; then
  echo "load: importing the listings into $data" >&2
  "$app" import ../shared/data/arxiv-listings --data "$data" >/dev/null
fi
echo "load: embedding what is not embedded yet (the first time: about 20 minutes on 2 cores)" >&2
"$app" index --data "$data" >/dev/null

# No arXiv: the scheduler stays off, so the run measures the web server alone.
PAPERBOY_Arxiv__Schedule__Enabled=false "$app" serve --data "$data" --urls "$base" >"$out/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
# Ready when semantic search holds every paper (the HNSW graph is loaded).
for _ in $(seq 600); do
  if curl -fs "$base/api/admin/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s["search"]["semantic"] == "on" and (s["search"]["vectorIndexed"] or 0) >= s["store"]["papers"] else 1)'; then
    break
  fi
  sleep 1
done
curl -fs "$base/api/admin/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)
st, se = s["store"], s["search"]
print("load: {:,} papers, {:,} in the vector index, semantic {}".format(st["papers"], se["vectorIndexed"] or 0, se["semantic"]), file=sys.stderr)'

echo "load: making the request lists" >&2
python3 - "$base" "$out" <<'PY'
import json, random, re, sys, urllib.parse, urllib.request
base, out = sys.argv[1], sys.argv[2]
def get(path):
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)
days, papers = [], []
for month in ("2025-03", "2025-04", "2025-05"):
    for p in range(3):
        items = get(f"/api/daily_papers?month={month}&limit=1000&p={p}")
        for it in items:
            papers.append((it["paper"]["id"], it["title"]))
            day = (it.get("submittedOnDailyAt") or it["publishedAt"])[:10]
            if day.startswith(month):
                days.append(day)
days = sorted(set(days))
seen, unique = set(), []
for pid, title in papers:
    if pid not in seen:
        seen.add(pid)
        unique.append((pid, title))
rng = random.Random(20261203)
rng.shuffle(unique)
unique = unique[:2000]
words = sorted({w.lower() for _, t in unique for w in re.findall(r"[A-Za-z]{5,}", t)})
def queries(n):
    return [" ".join(rng.sample(words, 3)) for _ in range(n)]
def write(name, lines):
    with open(f"{out}/{name}.paths", "w") as f:
        f.write("\n".join(lines) + "\n")
q = lambda s: urllib.parse.quote_plus(s)
popular = queries(5000)
write("healthz", ["/healthz"])
write("daily", [f"/papers/date/{d}" for d in days])
write("paper", [f"/papers/{pid}" for pid, _ in unique])
# A query string the page ignores makes each URL new to the output cache: what a paper page costs to make.
write("paper-new", [f"/papers/{rng.choice(unique)[0]}?n={i}" for i in range(50000)])
write("search-page", [f"/search?q={q(s)}" for s in popular])
write("search-api", [f"/api/papers/search?q={q(s)}" for s in popular])
write("search-api-new", [f"/api/papers/search?q={q(s)}" for s in queries(50000)])
write("daily-api", [f"/api/daily_papers?date={d}" for d in days])
print(f"load: {len(days)} days, {len(unique)} papers, {len(words)} title words", file=sys.stderr)
PY
for list in "$out"/*.paths; do
  for path in $(head -n 3 "$list"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
    [[ $code == 200 ]] || { echo "load: $path answered $code, not 200" >&2; exit 1; }
  done
done

run() { # kind conns duration spec... -> the RESULT line
  local kind=$1 c=$2 d=$3
  shift 3
  local t=$((c < 2 ? 1 : 2))
  wrk -t"$t" -c"$c" -d"$d" --timeout 5s -s bench/load/paths.lua "$base" -- "$@" | grep '^RESULT' | sed "s/^RESULT/$kind conns=$c/"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

results=$out/results.txt
: >"$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $conns; do
  for kind in healthz:uniform daily:uniform paper:uniform paper-new:uniform search-page:zipf search-api:zipf search-api-new:uniform daily-api:uniform; do
    name=${kind%%:*}
    echo "load: $name at $c connections" >&2
    run "$name" "$c" "$duration" "$out/$name.paths:1:${kind##*:}" >>"$results"
  done
done

printf '\n%-16s %5s %9s %9s %9s %8s %7s %10s\n' kind conns 'req/s' 'p50 ms' 'p99 ms' non-2xx socket 'vs healthz'
while read -r line; do
  kind=${line%% *}
  c=$(field conns <<<"$line")
  rps=$(field rps <<<"$line")
  health=$(grep "^healthz conns=$c " "$results" | field rps)
  printf '%-16s %5s %9s %9s %9s %8s %7s %9.3fx\n' "$kind" "$c" "$rps" "$(field p50_ms <<<"$line")" "$(field p99_ms <<<"$line")" \
    "$(field non2xx <<<"$line")" "$(field socket <<<"$line")" "$(echo "$rps / $health" | bc -l)"
done <"$results"
echo "$(nproc) cores; wrk and the server share them; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $soak -gt 0 ]]; then
  echo "load: soak, ${soak} s at 32 connections" >&2
  rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status"; }
  (sleep 60; rss >"$out/rss.minute") &
  sampler=$!
  line=$(run soak 32 "${soak}s" "$out/daily.paths:10:uniform" "$out/paper.paths:40:uniform" "$out/search-page.paths:25:zipf" \
    "$out/search-api.paths:15:zipf" "$out/daily-api.paths:10:uniform" 2>&1 || true)
  wait "$sampler"
  first=$(cat "$out/rss.minute")
  last=$(rss)
  echo "soak: $(field requests <<<"$line") requests in ${soak} s, $(field rps <<<"$line") req/s, p99 $(field p99_ms <<<"$line") ms, non-2xx $(field non2xx <<<"$line"), socket errors $(field socket <<<"$line")"
  echo "soak: RSS after the first minute ${first} MB, at the end ${last} MB ($(echo "($last - $first) * 100 / $first" | bc -l | xargs printf '%+.1f')%)"
fi
if grep -q 'fail: ' "$out/serve.log"; then
  echo "serve logged errors ($out/serve.log):"
  grep -A3 'fail: ' "$out/serve.log" | head -20
fi
