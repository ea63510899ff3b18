-- wrk script for bench/cluster.sh: the writes through the balancer. Upvotes, each request a distinct (member, paper)
-- pair (never withdrawn, so every acknowledged vote must stay in the database), and every Nth request a comment.
-- Prints the RESULT line of paths.lua, one VOTES line per paper (200 answers and POSTs sent), and one COMMENTS line
-- per thread with the ids of the comments answered 201.
-- args: TOKENS PAPERS THREADS EVERY
--   TOKENS  one API token per line, line i for member i
--   PAPERS  one paper id per line
--   THREADS wrk's -t, so that each thread takes its own members (member i goes to thread i mod THREADS)
--   EVERY   one request in EVERY is a comment
-- When a thread has voted every pair it owns, it reads the Daily (GET /) instead.
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

local posts, pair_paper, comment_requests = {}, {}, {}
local index = {}
local k, n, every, c = 0, 0, 10, 0
sent, ok = {}, {}
comment_ids = {}
papers = {}

local function lines(file)
  local t = {}
  for line in io.lines(file) do
    if #line > 0 then t[#t + 1] = line end
  end
  return t
end

function init(args)
  local tokens = lines(args[1])
  papers = lines(args[2])
  local count, me = tonumber(args[3]), id
  every = tonumber(args[4])
  for j, pid in ipairs(papers) do
    index[pid] = j
    sent[j], ok[j] = 0, 0
  end
  local mine = {}
  for i = me - 1, #tokens - 1, count do mine[#mine + 1] = tokens[i + 1] end
  for j, pid in ipairs(papers) do
    for _, token in ipairs(mine) do
      posts[#posts + 1] = wrk.format("POST", "/api/papers/" .. pid .. "/upvote", { ["Authorization"] = "Bearer " .. token }, "")
      pair_paper[#pair_paper + 1] = j
    end
  end
  for i, token in ipairs(mine) do
    local pid = papers[(i - 1) % #papers + 1]
    comment_requests[#comment_requests + 1] = wrk.format("POST", "/api/papers/" .. pid .. "/comments",
      { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
      '{"text":"A comment from the cluster benchmark, thread ' .. me .. ', member ' .. i .. '."}')
  end
end

function request()
  n = n + 1
  if n % every == 0 then
    c = c % #comment_requests + 1
    return comment_requests[c]
  end
  k = k + 1
  if k > #posts then return wrk.format("GET", "/") end
  local j = pair_paper[k]
  sent[j] = sent[j] + 1
  return posts[k]
end

-- 200 {"id":"2503.12345","upvotes":7,"upvoted":true}: a vote on that paper; 201 {"id":123,...}: a comment.
function response(status, headers, body)
  if status == 200 then
    local j = index[body:match('"id"%s*:%s*"([^"]+)"') or ""]
    if j and body:match('"upvoted"%s*:%s*true') then ok[j] = ok[j] + 1 end
  elseif status == 201 then
    local cid = body:match('"id"%s*:%s*(%d+)')
    if cid then comment_ids[#comment_ids + 1] = cid end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
  local total = {}
  for _, t in ipairs(threads) do
    local ids, s, o = t:get("papers"), t:get("sent"), t:get("ok")
    for j, pid in ipairs(ids) do
      local v = total[pid] or { 0, 0 }
      v[1], v[2] = v[1] + o[j], v[2] + s[j]
      total[pid] = v
    end
    io.write("COMMENTS " .. table.concat(t:get("comment_ids"), " ") .. "\n")
  end
  for pid, v in pairs(total) do
    io.write(string.format("VOTES %s ok=%d sent=%d\n", pid, v[1], v[2]))
  end
end
