#!/usr/bin/env bash
# Community load benchmark (run by hand): `serve` over a few imported listing days with a Daily for today (papers
# featured, votes and comments, MEMBERS members with API tokens; made by `Paperboy.Bench community`), under wrk on
# loopback, with /healthz (routing plus one trivial query) as the baseline in the same run. Rows:
#   healthz        GET /healthz
#   daily-anon     GET /, today's Daily, as an anonymous reader (the shared page cache)
#   daily-member   GET / with a real sign-in cookie (pb_auth, made by the emailed-link sign-in over HTTP, plus the
#                  pb_member hint): the same cached page, after the cookie is checked
#   upvote-post    POST /api/papers/{id}/upvote with Bearer tokens, every request a (member, paper) pair that holds
#                  no vote yet (bench/load/upvote.lua); past the last pair it withdraws them (DELETE), then votes again
# Then the counts: for every featured paper the votes table, papers.local_upvotes, the API's `upvotes` and what wrk
# was answered must agree: prints `counts exact: yes/no`. Prints a table like bench/load.sh (req/s, p50, p99,
# answers that were not 2xx, socket errors, the ratio to /healthz) with each row's target.
#
# usage: bash bench/community.sh [> bench/results/community-DATE.txt]
#   DATA=DIR       data directory (default: a new temporary one with the listings of DAYS imported; removed after)
#   DURATION=30s   per row;  CONNS=64;  MEMBERS=2000;  PAPERS=30 (on today's Daily);  VOTES=3000;  COMMENTS=300
#   DAYS="2025-03-24 2025-03-25 2025-03-26 2025-03-27"  listing files imported into a new DATA
#   LISTINGS=../shared/data/arxiv-listings;  PORT (default: a free one)
#   SERVE_ARGS     more settings for serve, e.g. "--Community:VotesPerMinute=100000"
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/bench/out/community
duration=${DURATION:-30s}
conns=${CONNS:-64}
members=${MEMBERS:-2000}
papers=${PAPERS:-30}
votes=${VOTES:-3000}
comments=${COMMENTS:-300}
days=${DAYS:-2025-03-24 2025-03-25 2025-03-26 2025-03-27}
listings=${LISTINGS:-$root/../shared/data/arxiv-listings}
port=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
base=http://127.0.0.1:$port
today=$(date -u +%F)
threads=$((conns < 2 ? 1 : 2))
mkdir -p "$out"
for tool in wrk sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "community: needs $tool (apt-get install $tool)" >&2; exit 1; }
done

cleanup() {
  if [[ -n ${pid:-} ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [[ -n ${tmpdata:-} ]]; then rm -rf "$tmpdata"; fi
}
trap cleanup EXIT
trap 'echo "community: failed at line $LINENO" >&2' ERR

echo "community: building" >&2
build() { "$@" -c Release -nologo -v q -clp:ErrorsOnly >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }; }
build dotnet publish src/Paperboy -o "$out/app"
build dotnet build bench/Paperboy.Bench -o "$out/bench"
app=$out/app/paperboy

if [[ -n ${DATA:-} ]]; then
  data=$DATA
else
  tmpdata=$(mktemp -d "${TMPDIR:-/tmp}/paperboy-community.XXXXXX")
  data=$tmpdata
fi
if [[ ! -f $data/paperboy.db ]]; then
  files=()
  for d in $days; do files+=("$listings/$d.jsonl.gz"); done
  echo "community: importing $days into $data" >&2
  "$app" import "${files[@]}" --data "$data" >/dev/null
fi

echo "community: $members members, $papers papers on the Daily of $today, $votes votes, $comments comments" >&2
tokens=$out/tokens
"$out/bench/Paperboy.Bench" community --data "$data" --members "$members" --papers "$papers" --day "$today" \
  --votes "$votes" --comments "$comments" --tokens "$tokens"

# No arXiv and no embedding model: the run measures the web server alone (the Daily needs neither).
# shellcheck disable=SC2086
"$app" serve --data "$data" --urls "$base" --Arxiv:Schedule:Enabled=false --Search:Semantic=false ${SERVE_ARGS:-} >"$out/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
# Ready when the keyword index holds every paper (it is built at start-up, in the background).
for _ in $(seq 300); do
  curl -fs "$base/api/admin/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if (s["search"]["keywordIndexed"] or 0) >= s["store"]["papers"] else 1)' && break
  sleep 1
done

# A member's real sign-in: the emailed link (written to DATA/mail as .eml when no SMTP host is set), used by the
# link page's POST; member 0 exists, so the link signs in at once and answers the pb_auth and pb_member cookies.
echo "community: signing in bench-0@example.org by its emailed link" >&2
jar=$out/cookies.txt
rm -f "$jar"
antiforgery() { grep -o 'name="__RequestVerificationToken"[^>]*value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//'; }
mails() { find "$data/mail" -name '*.eml' 2>/dev/null || true; }
mails_before=$(mails | wc -l)
af=$(curl -fs -c "$jar" -b "$jar" "$base/sign-in" | antiforgery)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "Email=bench-0@example.org" --data-urlencode "__RequestVerificationToken=$af" "$base/sign-in"
mail=
for _ in $(seq 150); do
  [[ $(mails | wc -l) -gt $mails_before ]] && { mail=$(mails | sort | tail -n 1); break; }
  sleep 0.2
done
[[ -n $mail ]] || { echo "community: no sign-in mail in $data/mail after 30 s" >&2; exit 1; }
sleep 0.2 # written whole
link_token=$(python3 - "$mail" <<'PY'
import email, re, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
text = msg.get_body(preferencelist=("plain", "html")).get_content()
print(re.search(r"/sign-in/link\?token=([A-Za-z0-9_-]+)", text).group(1))
PY
)
af=$(curl -fs -c "$jar" -b "$jar" "$base/sign-in/link?token=$link_token" | antiforgery)
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "Token=$link_token" --data-urlencode "__RequestVerificationToken=$af" "$base/sign-in/link")
auth=$(awk '$6 == "pb_auth" { print $7 }' "$jar")
[[ $code == 302 && -n $auth ]] || { echo "community: the sign-in link answered $code without a pb_auth cookie" >&2; exit 1; }
cookie="pb_auth=$auth; pb_member=1"
me=$(curl -fs -H "Cookie: $cookie" "$base/api/me" | python3 -c 'import json, sys; print(json.load(sys.stdin)["handle"])')
[[ $me == bench-0 ]] || { echo "community: /api/me with the cookie is '$me', not bench-0" >&2; exit 1; }

# Every row's request answers 200 first, and / shows the Daily (its first paper), for readers and members alike.
first=$(head -n 1 "$tokens.papers")
check() { # name curl-args... : 200, and for / the featured paper on the page
  local name=$1 headers
  shift
  headers=$(curl -s -D - -o "$out/$name.body" "$@")
  [[ $(head -n 1 <<<"$headers") == *" 200"* ]] || { echo "community: $name answered $(head -n 1 <<<"$headers")" >&2; exit 1; }
  if [[ $name == daily-* ]]; then
    grep -q "$first" "$out/$name.body" || { echo "community: $name does not show $first: not today's Daily" >&2; exit 1; }
    # Asked twice: the second answer comes from the page cache when it carries an Age header.
    if curl -s -D - -o /dev/null "$@" | grep -qi '^age:'; then cached=yes; else cached=no; fi
    if grep -qi '^set-cookie:' <<<"$headers"; then cached="$cached, sets a cookie"; fi
    echo "community: $name served from the page cache: $cached" >&2
  fi
}
check healthz "$base/healthz"
check daily-anon "$base/"
check daily-member -H "Cookie: $cookie" "$base/"
echo "/healthz" >"$out/healthz.paths"
echo "/" >"$out/home.paths"

run() { # kind wrk-args... -> the RESULT line (and VOTES lines) into $out/KIND.wrk
  local kind=$1
  shift
  echo "community: $kind, $conns connections, $duration" >&2
  wrk -t"$threads" -c"$conns" -d"$duration" --timeout 5s "$@" >"$out/$kind.wrk"
  grep '^RESULT' "$out/$kind.wrk" | sed "s/^RESULT/$kind conns=$conns/" >>"$results"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

results=$out/results.txt
: >"$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run healthz -s bench/load/paths.lua "$base" -- "$out/healthz.paths:1:uniform"
run daily-anon -s bench/load/paths.lua "$base" -- "$out/home.paths:1:uniform"
run daily-member -H "Cookie: $cookie" -s bench/load/paths.lua "$base" -- "$out/home.paths:1:uniform"
db=$data/paperboy.db
ids=$(sed "s/.*/'&'/" "$tokens.papers" | paste -sd,)
votes_before=$(sqlite3 "$db" "SELECT COUNT(*) FROM votes WHERE paper_id IN ($ids)")
run upvote-post -s bench/load/upvote.lua "$base" -- "$tokens" "$tokens.papers" "$tokens.votes" "$threads"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The counts, once the last answers are written and the cached reads have seen the change (Web:ChangePollSeconds).
sleep 2
sqlite3 -separator ' ' "$db" "SELECT p.id, p.upvotes, p.local_upvotes, (SELECT COUNT(*) FROM votes v WHERE v.paper_id = p.id) FROM papers p WHERE p.id IN ($ids)" >"$out/counts.db"
: >"$out/counts.api"
while read -r id; do
  echo "$id $(curl -fs "$base/api/papers/$id?fresh=$RANDOM$RANDOM" | python3 -c 'import json, sys; print(json.load(sys.stdin)["upvotes"])')" >>"$out/counts.api"
done <"$tokens.papers"
verdict=$(python3 - "$out/counts.db" "$out/counts.api" "$out/upvote-post.wrk" "$tokens.papers" "$tokens.votes" "$votes_before" <<'PY'
import sys
counts_db, counts_api, wrk_out, papers_file, held_file, before = sys.argv[1:]
papers = [l.strip() for l in open(papers_file) if l.strip()]
held = [0] * len(papers)
for line in open(held_file):
    if line.strip():
        held[int(line.split()[1])] += 1
db = {}
for line in open(counts_db):
    pid, imported, local, rows = line.split()
    db[pid] = (int(imported), int(local), int(rows))
api = {l.split()[0]: int(l.split()[1]) for l in open(counts_api) if l.strip()}
wrk = {}
for line in open(wrk_out):
    if line.startswith("VOTES "):
        parts = line.split()
        wrk[parts[1]] = {k: int(v) for k, v in (p.split("=") for p in parts[2:])}
problems, total, ok_post, ok_delete, unanswered = [], 0, 0, 0, 0
for j, pid in enumerate(papers):
    imported, local, rows = db[pid]
    total += rows
    w = wrk.get(pid, {"ok_post": 0, "ok_delete": 0, "unanswered_post": 0, "unanswered_delete": 0})
    ok_post += w["ok_post"]; ok_delete += w["ok_delete"]
    unanswered += w["unanswered_post"] + w["unanswered_delete"]
    if rows != local:
        problems.append(f"{pid}: {rows} votes stored, local_upvotes {local}")
    if api.get(pid) != imported + local:
        problems.append(f"{pid}: the API says {api.get(pid)} upvotes, the database {imported} imported + {local}")
    # Every POST that wrk saw answered added one vote, every DELETE removed one; requests still in flight when wrk
    # stopped may or may not have been written.
    low = held[j] + w["ok_post"] - w["ok_delete"] - w["unanswered_delete"]
    high = held[j] + w["ok_post"] - w["ok_delete"] + w["unanswered_post"]
    if not low <= rows <= high:
        problems.append(f"{pid}: {rows} votes stored; {held[j]} before plus what wrk was answered gives {low}..{high}")
gained = total - int(before)
print(f"counts exact: {'yes' if not problems else 'no'} ({len(papers)} papers, {total:,} votes: {gained:+,} in the run; "
      f"wrk was answered {ok_post:,} votes and {ok_delete:,} withdrawals, {unanswered} requests in flight at the end)")
for p in problems[:20]:
    print("  " + p)
PY
)

echo
echo "community benchmark, $(date -u '+%F %H:%M') UTC, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $members members, $papers papers on today's Daily, $duration per row, wrk -t$threads -c$conns"
printf '\n%-14s %5s %9s %9s %9s %8s %7s %11s   %s\n' kind conns 'req/s' 'p50 ms' 'p99 ms' non-2xx socket 'vs healthz' target
health=$(grep '^healthz ' "$results" | field rps)
while read -r line; do
  kind=${line%% *}
  rps=$(field rps <<<"$line")
  p99=$(field p99_ms <<<"$line")
  case $kind in
    daily-anon) target=">= 2,000 req/s, p99 < 50 ms"; met=$(echo "$rps >= 2000 && $p99 < 50" | bc -l) ;;
    daily-member) target=">= 1,000 req/s"; met=$(echo "$rps >= 1000" | bc -l) ;;
    upvote-post) target=">= 500 req/s, p99 < 50 ms"; met=$(echo "$rps >= 500 && $p99 < 50" | bc -l) ;;
    *) target="(baseline)"; met= ;;
  esac
  [[ -n $met && $(field non2xx <<<"$line") != 0 ]] && met=0
  case $met in 1) target="$target: met" ;; 0) target="$target: MISSED" ;; esac
  printf '%-14s %5s %9s %9s %9s %8s %7s %10.3fx   %s\n' "$kind" "$conns" "$rps" "$(field p50_ms <<<"$line")" "$p99" \
    "$(field non2xx <<<"$line")" "$(field socket <<<"$line")" "$(echo "$rps / $health" | bc -l)" "$target"
done <"$results"
echo
echo "$verdict"
echo "$(nproc) cores; wrk and the server share them; load average before $load_before, after $load_after"
if grep -q 'fail: ' "$out/serve.log"; then
  echo "serve logged errors ($out/serve.log):"
  grep -A3 'fail: ' "$out/serve.log" | head -20
fi
