-- Shared by the page scripts: real item ids from $SKYLT_IDS (one per line), rotated on every
-- request so no single cached answer dominates, and one JSON line of results for the runner.
local M = {}

function M.load_ids()
  local path = os.getenv("SKYLT_IDS") or error("set SKYLT_IDS to a file of item ids, one per line")
  local ids = {}
  for line in io.lines(path) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  if #ids < 4 then error("need at least 4 item ids in " .. path) end
  return ids
end

function M.escape(s)
  return (s:gsub("[^%w%-_.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Threads start at different offsets so they do not send the same sequence in lockstep.
local threads = 0
function M.setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

-- $SKYLT_DELAY_MS: each connection pauses this long on average between requests, to hold a rate
-- below the maximum (the ramp's 70 % point). The scripts define wrk's delay() only when it is set.
-- Pauses are drawn from an exponential distribution, as shoppers' think times are: with one fixed
-- pause, connections answered in the same burst would come back in the same burst, every time.
M.delay_ms = tonumber(os.getenv("SKYLT_DELAY_MS") or "")
function M.delay()
  return -M.delay_ms * math.log(1 - math.random())
end

function M.done(summary, latency, requests)
  local p = {}
  for _, q in ipairs({50, 75, 90, 95, 99, 99.9}) do
    p[#p + 1] = string.format('"%s": %.3f', tostring(q), latency:percentile(q) / 1000)
  end
  local e = summary.errors
  io.write(string.format(
    'SKYLT_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d}, "latency_ms": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(p, ", ")))
end

-- Installs wrk's hooks for a page script: ``query(id)`` returns the query string for the
-- i-th request, with ``id(k)`` giving the k-th next real item id (already escaped).
function M.page(query)
  local ids, n, i
  setup = M.setup
  done = M.done
  if M.delay_ms then delay = M.delay end
  init = function(args)
    ids = M.load_ids()
    n = #ids
    i = (tid or 0) * 7919
    math.randomseed(1 + (tid or 0))  -- the pauses repeat from run to run
  end
  request = function()
    i = i + 1
    return wrk.format("GET", "/v1/recommend?" .. query(function(k) return M.escape(ids[(i + k) % n + 1]) end))
  end
end

return M
