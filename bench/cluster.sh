#!/usr/bin/env bash
# Cluster benchmark and failover scenario (run by hand): a throwaway PostgreSQL 15, the fake arXiv, an SMTP sink that
# writes down what it accepts, three `paperboy serve` nodes started at once on the empty database, and the balancer
# (tools/Paperboy.Balancer, round robin, health checks on /readyz) in front. Members, the Daily and a subscription
# template are seeded (`Paperboy.Bench cluster-seed`); then wrk through the balancer for DURATION seconds at the
# Daily page (GET /) and the upvote API (each vote a distinct member and paper, every EVERY-th write a comment;
# bench/load/cluster.lua). At KILL1 s one node gets kill -9; at DUE s SUBSCRIBERS digests fall due (subscribers
# confirmed yesterday, made in one statement); at KILL2 s the node that ran the digest job gets kill -9 while its
# mail goes out. Then it waits for every digest and checks:
#   - every acknowledged vote and comment is in the database: prints `lost acknowledged writes: N`
#   - errors: wrk's non-2xx answers and socket errors, against the balancer's count of requests lost in flight on
#     the killed nodes
#   - digests: subscribers served, and duplicates (resends of the batch in flight at the kill) with the same Message-ID
#   - the daily ingestion ran once that day (the fake arXiv's feed reads and the job's record)
#   - migrations applied once between the three nodes
# and stops everything (trap), whatever happens.
#
# usage: bash bench/cluster.sh [> bench/results/cluster-DATE.txt]
#   DURATION=60  KILL1=20  DUE=25  KILL2=40   seconds from the start of the load
#   MEMBERS=2000  PAPERS=100 (on today's Daily)  SUBSCRIBERS=1000  EVERY=20  READ_CONNS=16  WRITE_CONNS=16
#   FEED_DAY=2025-03-20 (the listing day the fake arXiv announces)  LISTINGS=../shared/data/arxiv-listings
#   MAX_PER_MINUTE=600 (Mail:MaxPerMinute per node: sending takes long enough for the second kill to land in it)
#   PG_OPTS="-c synchronous_commit=off"  more PostgreSQL settings (default: none, a durable server)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/bench/out/cluster
duration=${DURATION:-60}
kill1=${KILL1:-20}
due=${DUE:-25}
kill2=${KILL2:-40}
members=${MEMBERS:-2000}
papers=${PAPERS:-100}
subscribers=${SUBSCRIBERS:-1000}
every=${EVERY:-20}
read_conns=${READ_CONNS:-16}
write_conns=${WRITE_CONNS:-16}
feed_day=${FEED_DAY:-2025-03-20}
listings=${LISTINGS:-$root/../shared/data/arxiv-listings}
max_per_minute=${MAX_PER_MINUTE:-600}
PGBIN=/usr/lib/postgresql/15/bin
for tool in wrk curl python3 psql "$PGBIN/initdb"; do
  command -v "$tool" >/dev/null || { echo "cluster: needs $tool (apt-get install wrk curl python3 postgresql-15)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"
say() { printf '[%6.1f s] %s\n' "$(echo "$(date +%s.%N) - ${t0:-$(date +%s.%N)}" | bc -l)" "$*" >&2; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

pids=()
pgroot=
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  exec 7>&- 8>&- 2>/dev/null
  wait 2>/dev/null
  if [[ -n $pgroot ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$pgroot/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$pgroot"
  fi
  rm -rf "$out"/data-*
}
trap cleanup EXIT
trap 'echo "cluster: failed at line $LINENO" >&2' ERR
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

echo "cluster: building" >&2
build() { "$@" -c Release -nologo -v q -clp:ErrorsOnly >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }; }
build dotnet publish src/Paperboy -o "$out/app"
build dotnet build bench/Paperboy.Bench -o "$out/bench"
build dotnet build tools/Paperboy.Balancer -o "$out/balancer"
app=$out/app/paperboy

# PostgreSQL: a fresh cluster in a temp folder, loopback only, on a free port (as .ci/run starts it).
pgroot=$(mktemp -d /tmp/paperboy-cluster-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres "$pgroot"
pgport=$(free_port)
as_pg "$PGBIN/initdb" -D "$pgroot/data" -A trust -U postgres --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$pgroot/data" -l "$pgroot/server.log" -w \
  -o "-p $pgport -k $pgroot -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB ${PG_OPTS:-}" start >/dev/null
cs="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres;Maximum Pool Size=60"
sql() { psql -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1 -c "$1"; }
echo "cluster: PostgreSQL 15 on 127.0.0.1:$pgport" >&2

# The fake arXiv over one listing day, and the SMTP sink; both run until their stdin (a FIFO held open here) closes.
mkdir -p "$out/listings"
ln -s "$listings/$feed_day.jsonl.gz" "$out/listings/"
mkfifo "$out/fake.in" "$out/sink.in"
"$out/bench/Paperboy.Bench" fake-arxiv "$out/listings" 100 --feed-day "$feed_day" --log "$out/arxiv-requests.log" <"$out/fake.in" >"$out/fake.out" 2>&1 &
pids+=($!)
exec 7>"$out/fake.in"
"$out/bench/Paperboy.Bench" smtp-sink "$out/mail.log" <"$out/sink.in" >"$out/sink.out" 2>&1 7>&- &
pids+=($!)
exec 8>"$out/sink.in"
for _ in $(seq 100); do [[ -s $out/fake.out && -s $out/sink.out ]] && break; sleep 0.2; done
oai=$(head -n 1 "$out/fake.out")
arxiv=${oai%/oai}
smtp_port=$(head -n 1 "$out/sink.out")
echo "cluster: fake arXiv at $arxiv (announcing $feed_day), SMTP sink on $smtp_port" >&2

# Three nodes, the same settings, started at once on the empty database; the balancer in front.
ports=("$(free_port)" "$(free_port)" "$(free_port)")
bport=$(free_port)
base=http://127.0.0.1:$bport
export PAPERBOY_Storage__Provider=postgres PAPERBOY_Storage__ConnectionString="$cs"
export PAPERBOY_Arxiv__OaiUrl=$oai PAPERBOY_Arxiv__QueryUrl=$arxiv/api/query PAPERBOY_Arxiv__FeedUrl=$arxiv/atom
export PAPERBOY_Arxiv__RequestInterval=00:00:00 PAPERBOY_Arxiv__Schedule__Enabled=true PAPERBOY_Arxiv__Schedule__OaiSet=cs
export PAPERBOY_Arxiv__ContactEmail=ops@example.org PAPERBOY_Search__Semantic=false
export PAPERBOY_Web__KnownProxies=127.0.0.1 PAPERBOY_Web__PublicUrl=$base PAPERBOY_Web__ChangePollSeconds=1
export PAPERBOY_Digest__CheckSeconds=2 PAPERBOY_Mail__Smtp__Host=127.0.0.1 PAPERBOY_Mail__Smtp__Port=$smtp_port
export PAPERBOY_Mail__Smtp__Security=None PAPERBOY_Mail__MaxPerMinute=$max_per_minute PAPERBOY_Mail__ClaimSeconds=10
export PAPERBOY_Mail__PollSeconds=1 PAPERBOY_Community__VotesPerMinute=1000000 PAPERBOY_Community__CommentsPerTenMinutes=1000000
node_pids=()
for i in 0 1 2; do
  "$app" serve --data "$out/data-$i" --urls "http://127.0.0.1:${ports[$i]}" >"$out/node$((i + 1)).log" 2>&1 7>&- 8>&- &
  node_pids+=($!)
  pids+=($!)
  disown $! # killed on purpose below: no "Killed" line from the shell
done
load_start=$(load)
echo "cluster: load average at the start $load_start; $(nproc) cores" >&2
for i in 0 1 2; do
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:${ports[$i]}/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:${ports[$i]}/readyz" >/dev/null || { echo "cluster: node$((i + 1)) not ready" >&2; tail -30 "$out/node$((i + 1)).log" >&2; exit 1; }
done
applied=$(cat "$out"/node*.log | sed -n 's/.*Applied \([0-9]*\) migration(s).*/\1/p' | paste -sd+ | bc)
versions=$(sql "SELECT COUNT(*) FROM schema_migrations")
echo "cluster: three nodes ready; migrations applied $applied times between them, the schema has $versions" >&2
for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:${ports[0]}/api/admin/status" | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["ingestion"]["lastSuccess"] else 1)' 2>/dev/null && break
  sleep 0.5
done
"$out/bench/Paperboy.Bench" cluster-seed --connection "$cs" --members "$members" --papers "$papers" --tokens "$out/tokens" 7>&- 8>&-
"$out/balancer/Paperboy.Balancer" --port "$bport" "http://127.0.0.1:${ports[0]}" "http://127.0.0.1:${ports[1]}" "http://127.0.0.1:${ports[2]}" >"$out/balancer.log" 2>&1 7>&- 8>&- &
balancer_pid=$!
pids+=($!)
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
code=$(curl -s -o "$out/home.html" -w '%{http_code}' "$base/")
grep -qF -f "$out/tokens.papers" "$out/home.html" || { echo "cluster: the Daily through the balancer ($code) does not show the seeded papers" >&2; head -c 600 "$out/home.html" >&2; exit 1; }
echo "/" >"$out/home.paths"

# The load, with the kills on schedule.
t0=$(date +%s.%N)
wrk -t1 -c"$read_conns" -d"${duration}s" --timeout 10s -s bench/load/paths.lua "$base" -- "$out/home.paths:1:uniform" >"$out/reads.wrk" 2>&1 7>&- 8>&- &
reads_pid=$!
pids+=($!)
wrk -t1 -c"$write_conns" -d"${duration}s" --timeout 10s -s bench/load/cluster.lua "$base" -- "$out/tokens" "$out/tokens.papers" 1 "$every" >"$out/writes.wrk" 2>&1 7>&- 8>&- &
writes_pid=$!
pids+=($!)
at() { local wait; wait=$(echo "$t0 + $1 - $(date +%s.%N)" | bc -l); if (( $(echo "$wait > 0" | bc -l) )); then sleep "$wait"; fi; }
digests_in() { grep -c '^reader[0-9]*@' "$out/mail.log" 2>/dev/null || true; }

at "$kill1"
kill -9 "${node_pids[2]}"
killed=("node3")
killed_urls=("http://127.0.0.1:${ports[2]}")
say "kill -9 node3 (pid ${node_pids[2]}); load average $(load)"

at "$due"
sql "INSERT INTO subscriptions(email, choices, created_at, confirmed_at, digest_since)
     SELECT 'reader' || g || '@example.org', t.choices, now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
     FROM generate_series(1, $subscribers) g, (SELECT COALESCE(pending_choices, choices) AS choices FROM subscriptions WHERE email = 'template@example.org') t"
say "$subscribers digests due (subscribers confirmed yesterday; the Daily's papers are new to them)"

at "$kill2"
# The node running the digest job: the holder of the `digest` lease while it composes (the owner names its process),
# else the one whose log says it queued the digests (its mail is going out); waited for when neither is known yet.
digest_node=
for _ in $(seq 150); do
  owner_pid=$(sql "SELECT split_part(owner, '/', 2) FROM job_leases WHERE name = 'digest' AND expires_at > now()")
  for i in 0 1; do
    if [[ ${node_pids[$i]} == "$owner_pid" ]] || grep -Eq '[1-9][0-9]* digests queued' "$out/node$((i + 1)).log"; then digest_node=$i; fi
  done
  [[ -n $digest_node ]] && break
  sleep 0.2
done
if [[ -n $digest_node ]]; then
  before_kill=$(digests_in)
  holding=$([[ ${node_pids[$digest_node]} == "$owner_pid" ]] && echo "holding the digest lease, composing" || echo "its digests queued and going out")
  kill -9 "${node_pids[$digest_node]}"
  killed+=("node$((digest_node + 1))")
  killed_urls+=("http://127.0.0.1:${ports[$digest_node]}")
  say "kill -9 node$((digest_node + 1)) (pid ${node_pids[$digest_node]}), which ran the digest job ($holding): $before_kill of $subscribers digests accepted by the sink so far; load average $(load)"
else
  before_kill=
  say "no node took up the digests within 30 s of $kill2 s: nothing killed"
fi
wait "$reads_pid" "$writes_pid" || true
say "load done; load average $(load)"

# Every digest: the survivor sends the rest, and the dead node's batch once its claim (Mail:ClaimSeconds) runs out.
for _ in $(seq 360); do
  served=$(grep -o '^reader[0-9]*@example.org' "$out/mail.log" 2>/dev/null | sort -u | wc -l)
  [[ $served -ge $subscribers ]] && break
  sleep 0.5
done
sleep 2
say "digests: $served of $subscribers subscribers served"
kill -TERM "$balancer_pid"
wait "$balancer_pid" 2>/dev/null || true
exec 7>&- # the fake arXiv writes its request log and stops
for _ in $(seq 50); do [[ -f $out/arxiv-requests.log ]] && break; sleep 0.2; done
sql "SELECT paper_id, COUNT(*) FROM votes GROUP BY paper_id" >"$out/votes.db"
sql "SELECT id FROM comments" >"$out/comments.db"
sql "SELECT value FROM ingest_state WHERE key = 'job:daily'" >"$out/ingest.db"
load_end=$(load)

echo
echo "cluster benchmark, $(date -u '+%F %H:%M') UTC, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores shared by PostgreSQL, three nodes, the balancer, wrk and whatever else runs"
echo "three nodes over PostgreSQL 15 behind tools/Paperboy.Balancer (round robin); wrk ${duration} s: GET / at $read_conns connections, upvotes and comments (1 in $every) at $write_conns; kill -9 ${killed[0]} at $kill1 s, ${killed[1]:-nobody} (the digest node) at $kill2 s; $subscribers digests due at $due s"
python3 - "$out" "$subscribers" "$applied" "$versions" "${killed_urls[*]}" "$feed_day" "${before_kill:-?}" <<'PY'
import json, re, sys
out, subscribers, applied, versions, killed_urls, feed_day, before_kill = sys.argv[1:]
subscribers = int(subscribers)
def result(path):
    for line in open(path):
        if line.startswith("RESULT "):
            return {k: float(v) for k, v in (p.split("=") for p in line.split()[1:])}
    raise SystemExit(f"no RESULT line in {path}: " + open(path).read()[-2000:])
reads, writes = result(f"{out}/reads.wrk"), result(f"{out}/writes.wrk")
acked, sent, comment_ids = {}, {}, set()
for line in open(f"{out}/writes.wrk"):
    if line.startswith("VOTES "):
        parts = line.split()
        kv = dict(p.split("=") for p in parts[2:])
        acked[parts[1]], sent[parts[1]] = int(kv["ok"]), int(kv["sent"])
    elif line.startswith("COMMENTS"):
        comment_ids.update(int(x) for x in line.split()[1:])
stored = {}
for line in open(f"{out}/votes.db"):
    if line.strip():
        pid, n = line.strip().split("|")
        stored[pid] = int(n)
db_comments = {int(l) for l in open(f"{out}/comments.db") if l.strip()}
# No vote is withdrawn, so every acknowledged vote on a paper must be among its stored ones; a stored vote that was
# not acknowledged is one whose answer was lost (in flight on a killed node) or still coming when wrk stopped.
lost_votes = sum(max(0, acked[p] - stored.get(p, 0)) for p in acked)
unacked_stored = sum(max(0, stored.get(p, 0) - acked[p]) for p in acked)
lost_comments = len(comment_ids - db_comments)
total_acked = sum(acked.values())
requests = int(reads["requests"] + writes["requests"])
errors = int(reads["non2xx"] + reads["socket"] + writes["non2xx"] + writes["socket"])
balancer = open(f"{out}/balancer.log").read()
stats = re.search(r"balancer: requests (\d+), sent again to another backend (\d+), failed (\d+); (.*)", balancer)
lost_in_flight, could_not_connect = 0, 0
if stats:
    for part in stats.group(4).split("; "):
        m = re.match(r"(\S+): answered (\d+), could not connect (\d+), lost in flight (\d+)", part)
        if m and m.group(1) in killed_urls.split():
            lost_in_flight += int(m.group(4))
            could_not_connect += int(m.group(3))
mail = [l.rstrip("\n").split("\t") for l in open(f"{out}/mail.log") if l.startswith("reader")]
by_reader = {}
for to, mid in mail:
    by_reader.setdefault(to, set()).add(mid)
duplicates = len(mail) - len(by_reader)
mixed_ids = sum(1 for ids in by_reader.values() if len(ids) > 1)
arxiv = [l.rstrip("\n").split("\t") for l in open(f"{out}/arxiv-requests.log") if l.strip()]
feed_reads = sum(1 for _, _, path in arxiv if path.startswith("/atom/"))
harvests = sum(1 for _, _, path in arxiv if path.startswith("/oai?verb=ListRecords") and "metadataPrefix=" in path)
job = json.loads(open(f"{out}/ingest.db").read() or "{}")
print()
print(f"requests: {requests:,} in {reads['seconds']:.0f} s (GET / {int(reads['requests']):,} at {reads['rps']:.0f} req/s, p99 {reads['p99_ms']:.0f} ms; "
      f"writes {int(writes['requests']):,} at {writes['rps']:.0f} req/s, p99 {writes['p99_ms']:.0f} ms)")
print(f"errors: {errors} (GET /: {int(reads['non2xx'])} non-2xx, {int(reads['socket'])} socket; writes: {int(writes['non2xx'])} non-2xx, {int(writes['socket'])} socket); "
      f"the balancer: {stats.group(3) if stats else '?'} answered by itself, {lost_in_flight} requests lost in flight on the killed nodes "
      f"(idempotent ones sent again), {could_not_connect} refused by them and sent to another node, {stats.group(2) if stats else '?'} sent again in all")
print(f"acknowledged writes: {total_acked:,} votes on {len(acked)} papers, {len(comment_ids):,} comments; stored votes not acknowledged "
      f"(answer lost with a killed node or still on its way at the end): {unacked_stored}")
print(f"lost acknowledged writes: {lost_votes + lost_comments}")
print(f"digests: {len(by_reader)} of {subscribers} subscribers served ({before_kill} before the digest node was killed), {len(mail)} messages, "
      f"{duplicates} duplicates (resends of the batch in flight), {mixed_ids} subscribers with copies under different Message-IDs")
print(f"daily ingestion runs that day: {harvests} (the fake arXiv's feeds read {feed_reads} time(s) for {feed_day}; the job's record: started {job.get('LastStarted')}, "
      f"last success {job.get('LastSuccess')}, fetched {job.get('Fetched')})")
print(f"migrations: applied {applied} times between the three nodes starting at once; the schema has {versions}")
ok = lost_votes + lost_comments == 0 and len(by_reader) == subscribers and mixed_ids == 0 and harvests == 1 and int(applied) == int(versions) \
    and errors <= lost_in_flight
print("checks: " + ("passed" if ok else "FAILED") + " (no acknowledged write lost; every subscriber served, copies only under one Message-ID; "
      "one daily ingestion; migrations once; errors no more than the requests lost in flight on the killed nodes)")
PY
echo "machine: $(nproc) cores shared with other work; load average (1, 5, 15 min) when the nodes started $load_start, at the end $load_end"
