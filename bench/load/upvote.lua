-- wrk script for bench/community.sh: upvotes, each request a distinct (member, paper) pair, so every POST is a
-- vote the database does not hold yet. Prints the RESULT line of paths.lua, then one VOTES line per paper with
-- the 200 answers wrk saw and the requests it sent that got no answer (in flight when wrk stopped).
-- args: TOKENS PAPERS HELD THREADS
--   TOKENS  one API token per line, line i for member i
--   PAPERS  one paper id per line
--   HELD    "i j" per line: member i already holds a vote on paper j (seeded): those pairs are skipped
--   THREADS wrk's -t, so that each thread takes its own members (member i goes to thread i mod THREADS)
-- The pairs go paper by paper (every member votes on the first paper, then the second...), as a popular paper
-- collects votes. When a thread has sent all its pairs it withdraws them all (DELETE), then votes again, and so on:
-- each request still changes the count by one.
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

local posts, deletes, pair_paper = {}, {}, {}
local index = {}
local k, pass = 0, 0
sent_post, sent_delete, ok_post, ok_delete = {}, {}, {}, {}
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
  local held = {}
  for _, line in ipairs(lines(args[3])) do held[line] = true end
  local n, me = tonumber(args[4]), id
  for j, pid in ipairs(papers) do
    index[pid] = j
    sent_post[j], sent_delete[j], ok_post[j], ok_delete[j] = 0, 0, 0, 0
  end
  for j, pid in ipairs(papers) do
    local path = "/api/papers/" .. pid .. "/upvote"
    for i = me - 1, #tokens - 1, n do
      if not held[i .. " " .. (j - 1)] then
        local headers = { ["Authorization"] = "Bearer " .. tokens[i + 1] }
        posts[#posts + 1] = wrk.format("POST", path, headers, "")
        deletes[#deletes + 1] = wrk.format("DELETE", path, headers)
        pair_paper[#pair_paper + 1] = j
      end
    end
  end
  assert(#posts > 0, "no (member, paper) pair left to vote on")
end

function request()
  k = k + 1
  if k > #posts then
    k = 1
    pass = pass + 1
  end
  local j = pair_paper[k]
  if pass % 2 == 0 then
    sent_post[j] = sent_post[j] + 1
    return posts[k]
  end
  sent_delete[j] = sent_delete[j] + 1
  return deletes[k]
end

-- {"id":"2503.12345","upvotes":7,"upvoted":true}: which paper, and whether it was a vote or a withdrawal.
function response(status, headers, body)
  if status ~= 200 then return end
  local j = index[body:match('"id"%s*:%s*"([^"]+)"')]
  if not j then return end
  if body:match('"upvoted"%s*:%s*true') then
    ok_post[j] = ok_post[j] + 1
  else
    ok_delete[j] = ok_delete[j] + 1
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
    local ids, sp, sd, op, od = t:get("papers"), t:get("sent_post"), t:get("sent_delete"), t:get("ok_post"), t:get("ok_delete")
    for j, id in ipairs(ids) do
      local c = total[id] or { 0, 0, 0, 0 }
      c[1], c[2], c[3], c[4] = c[1] + op[j], c[2] + od[j], c[3] + sp[j] - op[j], c[4] + sd[j] - od[j]
      total[id] = c
    end
  end
  for id, c in pairs(total) do
    io.write(string.format("VOTES %s ok_post=%d ok_delete=%d unanswered_post=%d unanswered_delete=%d\n", id, c[1], c[2], c[3], c[4]))
  end
end
