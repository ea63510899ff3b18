-- wrk script for bench/load.sh: requests paths read from files, and prints one machine-readable summary line.
-- args: one or more FILE:WEIGHT:DIST, where FILE holds one request path per line, WEIGHT is the share of requests
-- drawn from that file, and DIST is "uniform" (every path alike) or "zipf" (P(i) ~ 1/i: a few popular paths, a
-- long tail of rare ones, as identical queries from many readers are).
local sources = {}
local total = 0

local function load(spec)
  local file, weight, dist = spec:match("^(.+):([%d.]+):(%a+)$")
  assert(file, "expected FILE:WEIGHT:DIST, got " .. spec)
  local paths = {}
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  assert(#paths > 0, file .. " is empty")
  total = total + tonumber(weight)
  sources[#sources + 1] = { paths = paths, upto = total, zipf = dist == "zipf" }
end

-- Each wrk thread has its own Lua state: number them, so that each draws its own reproducible sequence.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  for _, spec in ipairs(args) do load(spec) end
  math.randomseed(7919 * (id or 1))
end

function request()
  local r = math.random() * total
  local source = sources[#sources]
  for _, s in ipairs(sources) do
    if r < s.upto then source = s; break end
  end
  local n = #source.paths
  local i
  if source.zipf then
    i = math.floor(n ^ math.random())
  else
    i = math.random(n)
  end
  if i < 1 then i = 1 elseif i > n then i = n end
  return wrk.format("GET", source.paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
