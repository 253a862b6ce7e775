-- wrk -s cart.lua: the cart page: two items in the cart, one more in the history, rotating through the
-- real item ids in $SKYLT_IDS. Run from any directory: common.lua is found beside this file.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local ids, n, i

setup = common.setup
done = common.done
if common.delay_ms then delay = common.delay end

function init(args)
  ids = common.load_ids()
  n = #ids
  i = (tid or 0) * 7919
end

function request()
  i = i + 1
  return wrk.format("GET", "/v1/recommend?page=cart&cart=" .. common.escape(ids[i % n + 1] .. "," .. ids[(i + 1) % n + 1])
    .. "&history=" .. common.escape(ids[(i + 2) % n + 1]))
end
